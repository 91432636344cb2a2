import { z } from 'zod';
import { defineChannel } from './channel';
import { fileSchema, MAX_FILES } from './file-schema';

/** The port Keyward's picker page (strict mode) opens to the background. */
export const pickerChannel = defineChannel({
  name: 'keyward-picker',
  fromOpener: z.discriminatedUnion('kind', [
    /** The picker page introduces itself with the request id from its URL. */
    z.strictObject({ kind: z.literal('hello'), id: z.string().max(100) }),
    z.strictObject({ kind: z.literal('files'), files: z.array(fileSchema).min(1).max(MAX_FILES) }),
    /** Sent while the user chooses: a message resets the service worker's idle timer, an open port does not. */
    z.strictObject({ kind: z.literal('ping') }),
  ]),
  fromAcceptor: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('request'),
      site: z.string().max(300),
      multiple: z.boolean(),
      accept: z.string().max(1000),
      directory: z.boolean(),
      recipients: z.array(z.string().max(1000)).max(500),
      securityPhrase: z.string().max(64),
    }),
    z.strictObject({
      kind: z.literal('progress'),
      file: z.string().max(1000),
      done: z.number().nonnegative(),
      total: z.number().nonnegative(),
    }),
    z.strictObject({ kind: z.literal('done') }),
    z.strictObject({ kind: z.literal('failed'), message: z.string().max(2000) }),
  ]),
});

export type PickerReport = z.input<typeof pickerChannel.fromAcceptor>;
