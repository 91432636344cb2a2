import type { OpenerEnd } from '../messaging/channel';
import { toWireError } from '../messaging/wire-error';
import type { KeyWork } from './key-work';
import type { keyWorkChannel, KeyWorkAnswer } from './key-work-channel';

/**
 * The offscreen document's side: runs each call on the in-process KeyWork and answers on the channel. Only the
 * operations of key-work-channel.ts arrive here (its schema refuses any other name and any malformed argument).
 *
 * When the port goes (the background closed it when idle, or Chromium stopped the service worker) the calls in
 * progress are aborted, and once every one has ended (an upload's worker has closed and removed its file)
 * `whenDone` runs: the document then closes itself. A new background never has to close a document whose worker
 * is still writing; doing so can crash Chromium's extension process.
 */
export function serveKeyWork(
  background: OpenerEnd<typeof keyWorkChannel>,
  keyWork: KeyWork,
  whenDone: () => void = () => undefined,
): void {
  const running = new Map<number, { readonly stop: AbortController; readonly ended: Promise<unknown> }>();
  let gone = false;
  const answer = (response: KeyWorkAnswer) => {
    if (gone) return;
    try {
      background.post(response);
    } catch {
      // The background stopped meanwhile; it failed the call itself, and the disconnect below ends the rest.
    }
  };
  background.onMessage((call) => {
    if ('cancel' in call) {
      running.get(call.id)?.stop.abort(new Error('cancelled'));
      return;
    }
    const { id, op, args } = call;
    const stop = new AbortController();
    // Progress (encryptToSpool) goes back on the port before the answer; other operations ignore the extras.
    const progress = (value: number) => answer({ id, progress: value });
    const run = Promise.resolve().then(() =>
      (keyWork[op] as (...a: unknown[]) => Promise<unknown>).apply(keyWork, [...args, progress, stop.signal]),
    );
    const ended = run.then(
      (value) => answer({ id, ok: true, value }),
      (error: unknown) => answer({ id, ok: false, error: toWireError(error, 'The key operation failed.') }),
    );
    running.set(id, { stop, ended });
    void ended.then(() => running.delete(id));
  });
  background.onDisconnect(() => {
    gone = true;
    const calls = [...running.values()];
    for (const call of calls) call.stop.abort(new Error('The background went away.'));
    void Promise.all(calls.map((call) => call.ended)).then(whenDone);
  });
}
