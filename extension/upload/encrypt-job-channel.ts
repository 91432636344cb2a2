import { z } from 'zod';
import type { UnlockedKey } from '../../shared/openpgp';
import { defineChannel } from '../messaging/channel';
import { fileSchema } from '../messaging/file-schema';
import { wireErrorSchema } from '../messaging/wire-error';

/** An unlocked private key as it crosses to the offscreen document or a worker: armored text, never a key object. */
export const unlockedKeySchema = z.custom<UnlockedKey>(
  (v) =>
    typeof v === 'string' &&
    v.length <= 4 * 1024 * 1024 &&
    v.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----'),
  'an armored private key',
);

/** One upload's encryption into a spool file (./encrypt-job.ts). */
export const encryptJobSchema = z.strictObject({
  file: fileSchema,
  /** Armored public keys: the user's own first, then the site's other recipients. */
  recipients: z
    .array(z.string().max(4 * 1024 * 1024))
    .min(1)
    .max(1000),
  /** The user's key, unlocked, when the upload is signed (every source but a paste). */
  signingKey: unlockedKeySchema.optional(),
  /** SEIPDv1 whatever the keys advertise, so that GnuPG can open the file (the site's option). */
  forGnuPG: z.boolean().optional(),
  /** Epoch ms: key validity and the literal data's date. */
  date: z.number(),
  /** The spool file to write (spool.ts newSpoolName); removed again if anything fails. */
  spoolName: z.string().min(1).max(200),
});
export type EncryptJob = z.output<typeof encryptJobSchema>;

export const encryptJobResultSchema = z.strictObject({ bytes: z.number().nonnegative() });
export type EncryptJobResult = z.output<typeof encryptJobResultSchema>;

/**
 * Between the offscreen document and the dedicated worker it starts for one upload: the job, or (later) stop now;
 * back come progress (ciphertext bytes so far), then exactly one of done or failed.
 */
export const encryptJobChannel = defineChannel({
  name: 'keyward-encrypt-job',
  fromOpener: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('run'), job: encryptJobSchema }),
    z.strictObject({ kind: z.literal('abort') }),
  ]),
  fromAcceptor: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('progress'), bytes: z.number().nonnegative() }),
    z.strictObject({ kind: z.literal('done'), result: encryptJobResultSchema }),
    z.strictObject({ kind: z.literal('failed'), error: wireErrorSchema }),
  ]),
});

export type EncryptJobMessage = z.input<typeof encryptJobChannel.fromAcceptor>;
