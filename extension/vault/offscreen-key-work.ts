import { KeywardError, type ErrorCode } from '../../shared/errors';
import type { MessagePort } from '../platform/ports';
import type { KeyWork } from './key-work';
import type { KeyWorkOp, KeyWorkRequest, KeyWorkResponse } from './key-work-protocol';

export interface OffscreenKeyWorkDeps {
  readonly open: () => Promise<void>;
  readonly close: () => Promise<void>;
  /** How long to wait for the offscreen page to connect before giving up (not hanging). */
  readonly connectTimeoutMs?: number;
  /** Argon2's WASM memory is freed by closing the document once it has been idle this long. */
  readonly idleCloseMs?: number;
}

/**
 * KeyWork run in Chromium's offscreen document, reached over a runtime Port so passphrases go to that one page and
 * are not broadcast to every extension page. The document is opened on demand and closed when idle.
 */
export function createOffscreenKeyWork(deps: OffscreenKeyWorkDeps) {
  const { connectTimeoutMs = 10_000, idleCloseMs = 30_000 } = deps;
  let port: MessagePort | undefined;
  let waiters: ((port: MessagePort) => void)[] = [];
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: unknown) => void }>();
  let nextId = 1;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  function attach(connected: MessagePort): void {
    port = connected;
    connected.onMessage((message) => {
      const response = message as KeyWorkResponse;
      const call = pending.get(response.id);
      if (!call) return;
      pending.delete(response.id);
      if (response.ok) call.ok(response.value);
      else call.fail(new KeywardError(response.code as ErrorCode, response.message));
      if (pending.size === 0) scheduleClose();
    });
    connected.onDisconnect(() => {
      if (port === connected) port = undefined;
      for (const call of pending.values()) {
        call.fail(new KeywardError('unavailable', 'Keyward’s key worker stopped; try again.'));
      }
      pending.clear();
    });
    for (const wake of waiters) wake(connected);
    waiters = [];
  }

  function scheduleClose(): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (pending.size === 0) void deps.close();
    }, idleCloseMs);
  }

  async function connected(): Promise<MessagePort> {
    if (port) return port;
    const arrival = new Promise<MessagePort>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== wake);
        reject(new KeywardError('unavailable', 'Keyward’s key worker did not start; reload the extension.'));
      }, connectTimeoutMs);
      const wake = (p: MessagePort) => {
        clearTimeout(timer);
        resolve(p);
      };
      waiters.push(wake);
    });
    await deps.open();
    return arrival;
  }

  async function call(op: KeyWorkOp, args: readonly unknown[]): Promise<unknown> {
    clearTimeout(idleTimer);
    const target = await connected();
    const id = nextId++;
    const request: KeyWorkRequest = { id, op, args };
    return new Promise((ok, fail) => {
      pending.set(id, { ok, fail });
      target.post(request);
    });
  }

  const keyWork: KeyWork = {
    generate: (request) => call('generate', [request]) as ReturnType<KeyWork['generate']>,
    unlock: (locked, passphrase) => call('unlock', [locked, passphrase]) as ReturnType<KeyWork['unlock']>,
    lock: (unlocked, passphrase) => call('lock', [unlocked, passphrase]) as ReturnType<KeyWork['lock']>,
    exportForGnuPG: (locked, passphrase) =>
      call('exportForGnuPG', [locked, passphrase]) as ReturnType<KeyWork['exportForGnuPG']>,
  };
  return { keyWork, attach };
}
