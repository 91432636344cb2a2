import { KeywardError } from '../../shared/errors';
import { sendRuntimeMessage } from '../platform/runtime';
import type { Envelope, MessageType, RequestInput, ResponseOf } from './protocol';
import { replySchema } from './reply';
import { fromWireError } from './wire-error';

/**
 * Asks the background and resolves to its answer. A refusal or failure rejects with a KeywardError carrying the
 * background's code, so pages act on `code` and show `message`.
 */
export async function sendMessage<K extends MessageType>(
  type: K,
  payload: RequestInput<K>,
): Promise<ResponseOf<K>> {
  const envelope: Envelope = { type, payload };
  let raw: unknown;
  try {
    raw = await sendRuntimeMessage(envelope);
  } catch (cause) {
    throw new KeywardError('unavailable', 'Keyward’s background did not answer.', {}, { cause });
  }
  const reply = replySchema.safeParse(raw);
  if (!reply.success) {
    throw new KeywardError('unavailable', `Keyward’s background sent no valid answer to "${type}".`);
  }
  if (!reply.data.ok) {
    throw fromWireError(reply.data.error);
  }
  // The background's handler for `type` produced this value; both sides are built from one protocol.
  return reply.data.value as ResponseOf<K>;
}
