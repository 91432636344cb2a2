import { z } from 'zod';
import { defineChannel } from './channel';
import { fileSchema } from './file-schema';

const names = z.array(z.string().max(1000)).max(500);

/** The port the decrypt page opens to have a file decrypted (or shared) by the background. */
export const decryptChannel = defineChannel({
  name: 'keyward-decrypt',
  fromOpener: z.discriminatedUnion('kind', [
    /** `password`: the file's own password, for a file encrypted with one (and for none of the user's keys). */
    z.strictObject({
      kind: z.literal('decrypt'),
      file: fileSchema,
      password: z.string().min(1).max(1024).optional(),
    }),
    /** Share later: the same file with one more key packet per new recipient; its body is not re-encrypted. */
    z.strictObject({
      kind: z.literal('share'),
      file: fileSchema,
      groups: z.array(z.string().max(64)).max(50),
      people: z.array(z.string().max(254)).max(200),
    }),
  ]),
  fromAcceptor: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('progress'),
      done: z.number().nonnegative(),
      total: z.number().nonnegative(),
    }),
    /** The file is for one of the user's keys, which is locked: unlock it, then ask again. */
    z.strictObject({
      kind: z.literal('locked'),
      fingerprint: z.string().max(64),
      userId: z.string().max(1000),
    }),
    z.strictObject({
      kind: z.literal('done'),
      file: fileSchema,
      decryptedWith: z.string().max(1000),
      /** Everyone it is encrypted to, by name where Keyward knows the key, else by key id. */
      encryptedTo: names,
      encryption: z.string().max(100),
      /** Who signed it, in words: "signed by Alice <…>", "not signed", or a key Keyward does not know. */
      signature: z.string().max(10_000),
    }),
    /**
     * Not a file Keyward can decrypt, and not a damaged one: not encrypted at all (a public key, a signature) or
     * for someone else's key. A download is then saved as it is.
     */
    z.strictObject({ kind: z.literal('not-for-me'), message: z.string().max(2000) }),
    /** Encrypted with a password, for none of the user's keys: ask for it (`wrong`: the one given does not open it). */
    z.strictObject({ kind: z.literal('password'), wrong: z.boolean() }),
    /** Share later done: the new file, and who was added (people already able to read it are left out). */
    z.strictObject({ kind: z.literal('shared'), file: fileSchema, added: names }),
    z.strictObject({ kind: z.literal('failed'), message: z.string().max(2000) }),
  ]),
});

export type DecryptRequest = z.input<typeof decryptChannel.fromOpener>;
export type DecryptReport = z.input<typeof decryptChannel.fromAcceptor>;
