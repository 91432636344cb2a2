import { z } from 'zod';
import { defineChannel } from './channel';
import { replySchema } from './reply';

/** The shape of every protocol request on the wire; `type` is bounded so an error message can quote it. */
export const envelopeSchema = z.strictObject({ type: z.string().min(1).max(64), payload: z.unknown() });
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * Runtime messages from extension pages to the background: a protocol message (./protocol.ts) in, a reply
 * envelope out. The dispatcher (./dispatcher.ts) parses each payload with its message's own schema.
 */
export const protocolChannel = defineChannel({
  name: 'keyward-protocol',
  fromOpener: envelopeSchema,
  fromAcceptor: replySchema,
});
