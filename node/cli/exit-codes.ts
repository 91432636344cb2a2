import { isKeywardError } from '../../shared/errors';

/** The command's exit codes, stable for scripts (README, "The keyward command"). */
export const EXIT = {
  ok: 0,
  /** A bug: the message says what happened; please report it. */
  internal: 1,
  /** Wrong command line, or an input file that cannot be read or is not what was expected. */
  usage: 2,
  /** No usable key for an address anywhere asked (or nothing pinned for it, offline). */
  notFound: 3,
  /** A pinned address now offers a different key: nothing was encrypted until `keyward keys accept|reject`. */
  keyChanged: 4,
  /** The pinned key is revoked, expired or cannot encrypt. */
  keyUnusable: 5,
  /** The file cannot be decrypted: damaged, cut short, tampered with, or not for this key. */
  decryptionFailed: 6,
  /** A required signature is missing, bad, or not by an expected signer. */
  badSignature: 7,
  /** A wrong passphrase, or none given for a protected key. */
  passphrase: 8,
  /** A lookup source, the keyserver or the keyring file failed; try again later. */
  unavailable: 9,
} as const;

/** Thrown by commands for a wrong command line; printed with the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Thrown by commands to stop with a given code and message (already phrased for the user). */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The exit code for an error from the library, by what the caller can do about it. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommandFailure) return error.exitCode;
  if (error instanceof UsageError) return EXIT.usage;
  if (!isKeywardError(error)) return EXIT.internal;
  switch (error.details.reason) {
    case 'key_changed':
      return EXIT.keyChanged;
    case 'key_unusable':
      return EXIT.keyUnusable;
    case 'passphrase_needed':
    case 'wrong_passphrase':
      return EXIT.passphrase;
  }
  switch (error.code) {
    case 'not_found':
      return EXIT.notFound;
    case 'conflict':
      return EXIT.keyChanged;
    case 'unavailable':
    case 'rate_limited':
      return EXIT.unavailable;
    case 'forbidden':
    case 'invalid_input':
    case 'too_large':
      return EXIT.usage;
  }
}
