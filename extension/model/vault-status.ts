import type { VaultKey } from './vault-key';

/** The vault at a glance, for the popup and the options page. */
export interface StatusResponse {
  /** The extension's version (from the manifest). */
  readonly version: string;
  /** How many of the user's own keys are stored. */
  readonly keys: number;
  /** True while no key is unlocked for use (also when there is no key at all). */
  readonly locked: boolean;
  /** The key uploads are encrypted to and downloads decrypted with by default; null without keys. */
  readonly defaultKey: VaultKey | null;
}
