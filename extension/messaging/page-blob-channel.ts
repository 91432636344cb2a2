import { z } from 'zod';
import { defineChannel } from './channel';
import { fileSchema } from './file-schema';

/**
 * Keyward's decrypt page asks Keyward's content script in a page for a `blob:` URL that page made (a page-made
 * encrypted download); the frame that can read it answers with the bytes, still ciphertext, or why it cannot.
 */
export const pageBlobChannel = defineChannel({
  name: 'keyward.readPageBlob',
  fromOpener: z.strictObject({ type: z.literal('keyward.readPageBlob'), url: z.string().max(2048) }),
  fromAcceptor: z.union([
    z.strictObject({ file: fileSchema }),
    z.strictObject({ error: z.string().max(1000) }),
  ]),
});
