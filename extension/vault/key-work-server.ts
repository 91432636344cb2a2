import { invalidInput } from '../../shared/errors';
import { toWireError } from '../messaging/wire-error';
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
  'encryptToSpool',
] satisfies KeyWorkOp[];

/**
 * The offscreen document's side: runs each request on the in-process KeyWork and answers on the port.
 *
 * When the port goes (the background closed it when idle, or Chromium stopped the service worker) the calls in
 * progress are aborted, and once every one has ended (an upload's worker has closed and removed its file)
 * `whenDone` runs: the document then closes itself. A new background never has to close a document whose worker
 * is still writing; doing so can crash Chromium's extension process.
 */
export function serveKeyWork(
  port: MessagePort,
  keyWork: KeyWork,
  whenDone: () => void = () => undefined,
): void {
  const running = new Map<number, { readonly stop: AbortController; readonly ended: Promise<unknown> }>();
  let gone = false;
  const answer = (response: KeyWorkResponse) => {
    if (gone) return;
    try {
      port.post(response);
    } catch {
      // The background stopped meanwhile; it failed the call itself, and the disconnect below ends the rest.
    }
  };
  port.onMessage((message) => {
    const request = message as KeyWorkRequest;
    if ('cancel' in request) {
      running.get(request.id)?.stop.abort(new Error('cancelled'));
      return;
    }
    const { id, op, args } = request;
    const stop = new AbortController();
    // Progress (encryptToSpool) goes back on the port before the answer; other operations ignore the extras.
    const progress = (value: number) => answer({ id, progress: value });
    // Only the listed operations: never a lookup of an arbitrary property name on the object.
    const run = OPS.includes(op)
      ? Promise.resolve().then(() =>
          (keyWork[op] as (...a: unknown[]) => Promise<unknown>).apply(keyWork, [
            ...args,
            progress,
            stop.signal,
          ]),
        )
      : Promise.reject(invalidInput(`Unknown key operation ${JSON.stringify(op)}.`));
    const ended = run.then(
      (value) => answer({ id, ok: true, value }),
      (error: unknown) => answer({ id, ok: false, error: toWireError(error, 'The key operation failed.') }),
    );
    running.set(id, { stop, ended });
    void ended.then(() => running.delete(id));
  });
  port.onDisconnect(() => {
    gone = true;
    const calls = [...running.values()];
    for (const call of calls) call.stop.abort(new Error('The background went away.'));
    void Promise.all(calls.map((call) => call.ended)).then(whenDone);
  });
}
