import type { Email, Fingerprint, KeyId } from '../../shared/identity';

/** One of the user's own keys as the vault shows it: public facts only, dates as epoch ms. */
export interface VaultKey {
  readonly fingerprint: Fingerprint;
  readonly keyId: KeyId;
  readonly version: 4 | 6;
  /** Human name of the primary key's algorithm, e.g. "Ed25519", "RSA 3072". */
  readonly algorithm: string;
  readonly userIds: readonly string[];
  readonly emails: readonly Email[];
  readonly created: number;
  readonly expires: number | null;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly canEncrypt: boolean;
  readonly isDefault: boolean;
  /** Unlocked for use in this browser session. */
  readonly unlocked: boolean;
  /** When the idle auto-lock will lock it if it stays unused; null while locked. */
  readonly autoLockAt: number | null;
}

/** What a key file holds, before anything is imported (`vault.inspectImport`). */
export interface ImportCandidate {
  readonly fingerprint: Fingerprint;
  readonly userIds: readonly string[];
  readonly algorithm: string;
  readonly version: 4 | 6;
  /** A private key (only private keys can be imported into the vault). */
  readonly isPrivate: boolean;
  /** Its secret parts are passphrase-protected: importing asks for that passphrase. */
  readonly isLocked: boolean;
  readonly alreadyInVault: boolean;
}
