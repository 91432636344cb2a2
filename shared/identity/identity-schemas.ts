import { z } from 'zod';
import { isKeywardError } from '../errors';
import { Email } from './email';
import { Fingerprint } from './fingerprint';

/**
 * The value types as Zod schemas, for every boundary that parses messages or HTTP bodies: a string in, a
 * `Fingerprint` or `Email` out. A refused value becomes a schema issue carrying the value type's own message, so a
 * `safeParse` never throws.
 */
function valueType<T>(parse: (input: string) => T, max: number) {
  return z
    .string()
    .max(max)
    .transform((input, ctx) => {
      try {
        return parse(input);
      } catch (error) {
        if (!isKeywardError(error)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    });
}

/** v4 (40 hex) or v6 (64 hex), as people paste it (spaces, 0x, either case). */
export const fingerprintSchema = valueType((s) => Fingerprint.parse(s), 80);
/** One normalisation for every address (identity/email.ts). */
export const emailSchema = valueType((s) => Email.parse(s), 320);
