import { z } from 'zod';
import type { ErrorCode } from '../../shared/errors';

/**
 * Every answer from the background is a reply envelope, so a refusal travels as data with a stable code instead of
 * depending on how each browser (or webextension-polyfill) serialises a rejected promise.
 */
export type Reply<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ReplyError };

export interface ReplyError {
  readonly code: ErrorCode;
  readonly message: string;
  /** Facts a page may act on, e.g. `retryAfterSeconds` for rate_limited; absent when there are none. */
  readonly details?: Readonly<Record<string, string | number>>;
}

// A Record so that a new ErrorCode in shared/errors.ts fails the typecheck here until it is listed.
const errorCodes: Record<ErrorCode, true> = {
  invalid_input: true,
  not_found: true,
  rate_limited: true,
  conflict: true,
  forbidden: true,
  too_large: true,
  unavailable: true,
};

export const replySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.custom<ErrorCode>((v) => typeof v === 'string' && Object.hasOwn(errorCodes, v)),
      message: z.string(),
      details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    }),
  }),
]);

export function okReply<T>(value: T): Reply<T> {
  return { ok: true, value };
}

export function errorReply(
  code: ErrorCode,
  message: string,
  details: Readonly<Record<string, string | number>> = {},
): Reply<never> {
  return {
    ok: false,
    error: Object.keys(details).length > 0 ? { code, message, details } : { code, message },
  };
}
