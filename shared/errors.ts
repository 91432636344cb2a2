import type { ErrorReason } from './error-reasons';

export type { ErrorReason };

/**
 * The few error classes the whole project shares. Callers act on `code`, never on messages; the keyserver's HTTP
 * mapper turns codes into status codes, the extension turns them into user-facing text.
 */
export const ERROR_CODES = [
  'invalid_input', // the caller sent something malformed; the message says what
  'not_found',
  'rate_limited',
  'conflict', // a stale compare-and-swap, or a key that collides with another
  'forbidden', // a bad token, a wrong passphrase, a refused sender
  'too_large',
  'unavailable', // a dependency (keyserver, store, mail) did not answer
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What an error says beside its code and message: a typed reason, a retry time, plain facts (never secrets). */
export interface ErrorDetails {
  readonly reason?: ErrorReason;
  readonly retryAfterSeconds?: number;
  readonly [fact: string]: string | number | undefined;
}

export class KeywardError extends Error {
  override readonly name = 'KeywardError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts a caller may act on (a finer `reason`; for rate_limited, retryAfterSeconds). Never secrets. */
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invalidInput(message: string): KeywardError {
  return new KeywardError('invalid_input', message);
}

export function isKeywardError(e: unknown, code?: ErrorCode): e is KeywardError {
  return e instanceof KeywardError && (code === undefined || e.code === code);
}

/** A KeywardError with this reason (whatever its general code). */
export function hasReason(e: unknown, reason: ErrorReason): e is KeywardError {
  return e instanceof KeywardError && e.details.reason === reason;
}
