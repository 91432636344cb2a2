import type { LookupSource } from '../../shared/recipients/key-lookup';

export interface Settings {
  /** The Keyward keyserver keys are published to; default the local one `npm start` runs. */
  readonly keyserverUrl: string;
  /** Unlocked keys lock after this many minutes without use. */
  readonly autoLockMinutes: number;
  /** Shown in every Keyward dialog inside web pages, so a page cannot fake one (anti-spoofing). */
  readonly securityPhrase: string;
  /** Where other people's keys are looked up by address, in this order (sources left out are not asked). */
  readonly lookupOrder: readonly LookupSource[];
}
