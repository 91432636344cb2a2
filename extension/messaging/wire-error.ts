import { z } from 'zod';
import { ERROR_CODES, isKeywardError, KeywardError } from '../../shared/errors';
import { isErrorReason, type ErrorReason } from '../../shared/error-reasons';

/**
 * The one shape an error has when it crosses between the extension's contexts (runtime replies, ports, KeyWork,
 * the encryption worker): the general code, the text for people, and the typed reason when there is one. A refusal
 * travels as data, never as a rejected promise each browser serialises its own way.
 */
export const wireErrorSchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string().max(2000),
  reason: z.custom<ErrorReason>(isErrorReason).optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
});
export type WireError = z.output<typeof wireErrorSchema>;

/** A KeywardError as it is; anything else (a bug) as `unavailable` with `fallback`, its details left behind. */
export function toWireError(error: unknown, fallback: string): WireError {
  if (!isKeywardError(error)) return { code: 'unavailable', message: fallback };
  const { reason, retryAfterSeconds } = error.details;
  return {
    code: error.code,
    message: error.message.slice(0, 2000),
    ...(reason === undefined ? {} : { reason }),
    ...(typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : {}),
  };
}

export function fromWireError({ code, message, reason, retryAfterSeconds }: WireError): KeywardError {
  return new KeywardError(code, message, {
    ...(reason === undefined ? {} : { reason }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}
