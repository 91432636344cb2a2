import { isKeywardError } from '../../shared/errors';
import type { MessagePort } from '../platform/ports';
import type { KeyWork } from './key-work';
import type { KeyWorkRequest, KeyWorkResponse } from './key-work-protocol';

/** The offscreen document's side: runs each request on the in-process KeyWork and answers on the port. */
export function serveKeyWork(port: MessagePort, keyWork: KeyWork): void {
  port.onMessage((message) => {
    const { id, op, args } = message as KeyWorkRequest;
    const run = (keyWork[op] as (...a: unknown[]) => Promise<unknown>).apply(keyWork, [...args]);
    run.then(
      (value) => port.post({ id, ok: true, value } satisfies KeyWorkResponse),
      (error: unknown) =>
        port.post({
          id,
          ok: false,
          code: isKeywardError(error) ? error.code : 'unavailable',
          message: isKeywardError(error) ? error.message : 'The key operation failed.',
        } satisfies KeyWorkResponse),
    );
  });
}
