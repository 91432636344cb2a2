import { invalidInput, isKeywardError } from '../../shared/errors';
import type { MessagePort } from '../platform/ports';
import type { KeyWork } from './key-work';
import type { KeyWorkOp, KeyWorkRequest, KeyWorkResponse } from './key-work-protocol';

const OPS: readonly string[] = [
  'generate',
  'unlock',
  'lock',
  'exportForGnuPG',
  'escrowCreate',
  'escrowRestore',
  'escrowRecover',
  'escrowChangePassphrase',
  'escrowDelete',
] satisfies KeyWorkOp[];

/** The offscreen document's side: runs each request on the in-process KeyWork and answers on the port. */
export function serveKeyWork(port: MessagePort, keyWork: KeyWork): void {
  const answer = (response: KeyWorkResponse) => {
    try {
      port.post(response);
    } catch {
      // The background stopped meanwhile; it failed the call itself and will open a fresh document.
    }
  };
  port.onMessage((message) => {
    const { id, op, args } = message as KeyWorkRequest;
    // Only the listed operations: never a lookup of an arbitrary property name on the object.
    const run = OPS.includes(op)
      ? Promise.resolve().then(() =>
          (keyWork[op] as (...a: unknown[]) => Promise<unknown>).apply(keyWork, [...args]),
        )
      : Promise.reject(invalidInput(`Unknown key operation ${JSON.stringify(op)}.`));
    run.then(
      (value) => answer({ id, ok: true, value }),
      (error: unknown) =>
        answer({
          id,
          ok: false,
          code: isKeywardError(error) ? error.code : 'unavailable',
          message: isKeywardError(error) ? error.message : 'The key operation failed.',
          details: isKeywardError(error) ? { ...error.details } : {},
        }),
    );
  });
}
