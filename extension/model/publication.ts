import type { Email, Fingerprint } from '../../shared/identity';

export type AddressState = 'unpublished' | 'pending' | 'published';

/** A key's publication on the configured keyserver, address by address. */
export interface Publication {
  readonly keyserverUrl: string;
  readonly fingerprint: Fingerprint;
  readonly addresses: readonly { readonly email: Email; readonly state: AddressState }[];
  /** When the keyserver last told us these states (epoch ms). */
  readonly checkedAt: number;
}
