import { KeywardError } from '../../shared/errors';
import { ask } from './runtime-channels';
import type { MessageType, RequestInput, ResponseOf } from './protocol';
import { protocolChannel } from './protocol-channel';
import { fromWireError } from './wire-error';

/**
 * Asks the background and resolves to its answer. A refusal or failure rejects with a KeywardError carrying the
 * background's code (and reason), so pages act on those and show `message`.
 */
export async function sendMessage<K extends MessageType>(
  type: K,
  payload: RequestInput<K>,
): Promise<ResponseOf<K>> {
  let reply;
  try {
    reply = await ask(protocolChannel, { to: 'background' }, { type, payload });
  } catch (cause) {
    throw new KeywardError('unavailable', 'Keyward’s background did not answer.', {}, { cause });
  }
  if (reply === undefined) {
    throw new KeywardError('unavailable', `Keyward’s background sent no valid answer to "${type}".`);
  }
  if (!reply.ok) throw fromWireError(reply.error);
  // The background's handler for `type` produced this value; both sides are built from one protocol.
  return reply.value as ResponseOf<K>;
}
