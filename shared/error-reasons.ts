import { ESCROW_REASONS, type EscrowReason } from './escrow/escrow-api';
import { LEGACY_REASONS, type LegacyReason } from './legacy/legacy-api';

/**
 * The finer reasons a caller acts on, beside an error's general code (`KeywardError.details.reason`). Listed here
 * so a reason is a name the typecheck knows, never a flag or a sentence matched by its text. The keyserver's APIs
 * define theirs with their contracts (shared/escrow/escrow-api.ts, shared/legacy/legacy-api.ts).
 */
const OWN_REASONS = [
  // The extension's vault: the key is locked (the caller may ask the user to unlock, then try again).
  'key_locked',
  // No key in the vault at all yet.
  'no_key',
  // A file that is not an encrypted OpenPGP message (a key, a signature, anything else).
  'not_encrypted',
  // Key files: a passphrase is needed, or the one given is wrong.
  'passphrase_needed',
  'wrong_passphrase',
  // Recipients by address (shared/recipients, node/): what stopped an encryption to someone.
  'key_changed',
  'key_unusable',
  'not_found',
  'sources_unavailable',
  // node/'s file keyring.
  'keyring_damaged',
  'keyring_unreadable',
  'keyring_unwritable',
  // The keyserver's mail: a key mail cannot be encrypted to, or a mail server that refused for good.
  'key_unreadable',
  'no_encryption_key',
  'rejected',
] as const;

export type ErrorReason = (typeof OWN_REASONS)[number] | EscrowReason | LegacyReason;

const ALL: ReadonlySet<string> = new Set<string>([
  ...OWN_REASONS,
  ...Object.keys(ESCROW_REASONS),
  ...Object.keys(LEGACY_REASONS),
]);

/** For error envelopes read from a wire: only a known reason is kept. */
export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === 'string' && ALL.has(value);
}
