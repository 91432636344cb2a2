import type { Middleware } from 'koa';
import { type ErrorCode, KeywardError } from '../../shared/errors';
import { STATUS_FOR_CODE } from '../http/error-mapper';

/**
 * The escrow API's stable error codes (docs/escrow.md). Each rides on a KeywardError as `details.reason`, so the
 * rest of the keyserver treats it by its general code; only the escrow's answers show the precise one.
 */
const REASONS = {
  login_failed: { code: 'forbidden', status: 401 },
  recovery_failed: { code: 'forbidden', status: 401 },
  unauthorized: { code: 'forbidden', status: 401 },
  code_required: { code: 'forbidden', status: 403 },
  code_invalid: { code: 'forbidden', status: 403 },
  account_exists: { code: 'conflict', status: 409 },
  stale: { code: 'conflict', status: 409 },
  slot_taken: { code: 'conflict', status: 409 },
  locked: { code: 'rate_limited', status: 429 },
} as const satisfies Record<string, { code: ErrorCode; status: number }>;

export type EscrowReason = keyof typeof REASONS;

export function escrowError(reason: EscrowReason, message: string, retryAfterSeconds?: number): KeywardError {
  const details: Record<string, string | number> = { reason };
  if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
  return new KeywardError(REASONS[reason].code, message, details);
}

/**
 * Answers the escrow's errors as `{ "error": "<code>", "message": "<text>" }` (the escrow contract). Anything else
 * (a bug, a store failure) goes on to the general error mapper, which hides its details.
 */
export function escrowErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof KeywardError)) throw err;
      const reason = err.details.reason;
      const known = typeof reason === 'string' && reason in REASONS ? (reason as EscrowReason) : undefined;
      ctx.status = known ? REASONS[known].status : STATUS_FOR_CODE[err.code];
      const retry = err.details.retryAfterSeconds;
      if (retry !== undefined) ctx.set('Retry-After', String(retry));
      ctx.type = 'application/json';
      ctx.body = { error: known ?? err.code, message: err.message };
    }
  };
}
