import { z } from 'zod';
import { defineChannel } from './channel';
import { fileSchema } from './file-schema';

const files = z.array(fileSchema).min(1).max(500);

/** The port Keyward's "Encrypt a file" page opens to have files encrypted by the background. */
export const encryptChannel = defineChannel({
  name: 'keyward-encrypt',
  fromOpener: z.discriminatedUnion('kind', [
    /** To the user's own key and these groups and people, signed with the user's default key. */
    z.strictObject({
      kind: z.literal('to-people'),
      files,
      groups: z.array(z.string().max(64)).max(50),
      people: z.array(z.string().max(254)).max(200),
      forGnuPG: z.boolean(),
    }),
    /** With a password alone, for someone who has no key (the page made the password and shows it). */
    z.strictObject({ kind: z.literal('with-password'), files, password: z.string().min(12).max(1024) }),
  ]),
  fromAcceptor: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('progress'),
      file: z.string().max(1000),
      done: z.number().nonnegative(),
      total: z.number().nonnegative(),
    }),
    /** The user's key, which signs, is locked: unlock it, then ask again. */
    z.strictObject({
      kind: z.literal('locked'),
      fingerprint: z.string().max(64),
      userId: z.string().max(1000),
    }),
    z.strictObject({
      kind: z.literal('done'),
      files: z.array(fileSchema).max(500),
      /** Who can open them, in words. */
      encryptedFor: z.array(z.string().max(1000)).max(1000),
    }),
    z.strictObject({ kind: z.literal('failed'), message: z.string().max(2000) }),
  ]),
});

export type EncryptRequest = z.output<typeof encryptChannel.fromOpener>;
export type EncryptAsk = z.input<typeof encryptChannel.fromOpener>;
export type EncryptReport = z.input<typeof encryptChannel.fromAcceptor>;
