import { z } from 'zod';

/**
 * The body of every JSON error the keyserver answers (keyserver/http/error-mapper.ts): the text for people, the
 * general code (shared/errors.ts), and the API's finer reason when there is one (escrow, digital legacy).
 */
export const errorAnswerSchema = z.object({
  error: z.string().max(1000),
  code: z.string().max(40),
  reason: z.string().max(40).optional(),
});
export type ErrorAnswer = z.output<typeof errorAnswerSchema>;
