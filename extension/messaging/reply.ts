import { z } from 'zod';
import type { ErrorCode } from '../../shared/errors';
import { toWireError, wireErrorSchema, type WireError } from './wire-error';

/**
 * Every answer to a runtime message is a reply envelope, so a refusal travels as data with a stable code (the wire
 * error of ./wire-error.ts) instead of depending on how each browser serialises a rejected promise.
 */
export type Reply<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WireError };

export const replySchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: wireErrorSchema }),
]);

export function okReply<T>(value: T): Reply<T> {
  return { ok: true, value };
}

export function errorReply(code: ErrorCode, message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

/** A handler's failure: a KeywardError as it is, anything else as `unavailable` with `fallback`. */
export function failureReply(error: unknown, fallback: string): Reply<never> {
  return { ok: false, error: toWireError(error, fallback) };
}
