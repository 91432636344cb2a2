import type { Email, Fingerprint } from '../../shared/identity';

/** Where a contact's key came from. */
export type ContactSource = 'file' | 'paste' | 'keyserver' | 'wkd' | 'keys.openpgp.org' | 'group';

/** Someone else's public key in the contacts keyring: public facts only, dates as epoch ms. */
export interface Contact {
  readonly fingerprint: Fingerprint;
  readonly userIds: readonly string[];
  readonly emails: readonly Email[];
  readonly algorithm: string;
  readonly created: number;
  readonly expires: number | null;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly canEncrypt: boolean;
  readonly source: ContactSource;
  readonly addedAt: number;
  /** When a source last confirmed (or updated) this key. */
  readonly refreshedAt: number;
  /** The user compared the fingerprint out of band and said it matches. */
  readonly verified: boolean;
  /** The addresses this key is pinned for (used for). */
  readonly pinnedFor: readonly Email[];
}

/** A different key offered for an address that has a pinned key: never used until the user decides. */
export interface KeyChange {
  readonly email: Email;
  readonly pinned: Fingerprint;
  readonly offered: Fingerprint;
  readonly offeredUserIds: readonly string[];
  readonly source: ContactSource;
  readonly seenAt: number;
}

export interface ContactsView {
  readonly contacts: readonly Contact[];
  readonly changes: readonly KeyChange[];
  /** Addresses pinned to a fingerprint (from a group file) whose key has not been found yet. */
  readonly awaiting: readonly { readonly email: Email; readonly fingerprint: Fingerprint }[];
}
