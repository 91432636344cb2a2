/**
 * The few error classes the whole project shares. Callers act on `code`, never on messages; the keyserver's HTTP
 * mapper turns codes into status codes, the extension turns them into user-facing text.
 */
export type ErrorCode =
  | 'invalid_input' // the caller sent something malformed; the message says what
  | 'not_found'
  | 'rate_limited'
  | 'conflict' // a stale compare-and-swap, or a key that collides with another
  | 'forbidden' // a bad token, a wrong passphrase, a refused sender
  | 'too_large'
  | 'unavailable'; // a dependency (keyserver, store, mail) did not answer

export class KeywardError extends Error {
  override readonly name = 'KeywardError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts a caller may act on (for rate_limited: retryAfterSeconds). Never secrets. */
    readonly details: Readonly<Record<string, string | number>> = {},
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
