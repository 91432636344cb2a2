import { z } from 'zod';
import { fingerprintSchema } from '../../shared/identity';
import { defineChannel } from './channel';
import { fileSchema } from './file-schema';

/**
 * The port the decrypt page opens to release one file to a service: first the service's key is looked up and
 * shown to the user, then (on a second click) the file is shared with exactly that key. Only the decrypt page
 * may open it (extension/downloads/release-service.ts checks the sender).
 */
export const releaseChannel = defineChannel({
  name: 'keyward-release',
  fromOpener: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('lookup'), address: z.string().trim().min(1).max(254) }),
    /** `fingerprint` is the key the user was shown: a different key now for the address is refused. */
    z.strictObject({
      kind: z.literal('share'),
      file: fileSchema,
      address: z.string().trim().min(1).max(254),
      fingerprint: fingerprintSchema,
    }),
  ]),
  fromAcceptor: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('found'),
      address: z.string().max(254),
      fingerprint: z.string().max(64),
      userId: z.string().max(1000),
    }),
    /** The copy: the same encrypted contents, with one more key packet, for the service's key. */
    z.strictObject({ kind: z.literal('shared'), file: fileSchema, added: z.boolean() }),
    z.strictObject({ kind: z.literal('locked'), userId: z.string().max(1000) }),
    z.strictObject({
      kind: z.literal('failed'),
      /** no-key: nothing published and verified for the address; unavailable: no source could be asked. */
      reason: z.enum(['no-key', 'unavailable', 'key-changed', 'unusable', 'refused']),
      message: z.string().max(2000),
    }),
  ]),
});

export type ReleaseRequest = z.output<typeof releaseChannel.fromOpener>;
/** What the decrypt page sends, before the schema's checks. */
export type ReleaseAsk = z.input<typeof releaseChannel.fromOpener>;
export type ReleaseReport = z.input<typeof releaseChannel.fromAcceptor>;
