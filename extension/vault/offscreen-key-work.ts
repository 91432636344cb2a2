import { KeywardError, type ErrorCode } from '../../shared/errors';
import { serialQueue } from '../../shared/serial-queue';
import type { MessagePort } from '../platform/ports';
import type { KeyWork } from './key-work';
import type { KeyWorkOp, KeyWorkRequest, KeyWorkResponse } from './key-work-protocol';

export interface OffscreenKeyWorkDeps {
  /** Creates the offscreen document, which then connects a KEY_WORK_PORT port (entrypoints/offscreen). */
  readonly open: () => Promise<void>;
  /** Closes it; resolves also when there is none. */
  readonly close: () => Promise<void>;
  /** How long to wait for the offscreen page to connect before giving up (not hanging). */
  readonly connectTimeoutMs?: number;
  /** Argon2's WASM memory is freed by closing the document once it has been idle this long. */
  readonly idleCloseMs?: number;
}

const NOT_STARTED = 'Keyward’s key worker did not start. Try again, or reload the extension.';
const STOPPED = 'Keyward’s key worker stopped before it answered. Try again.';

/**
 * KeyWork run in Chromium's offscreen document, reached over a runtime Port so passphrases go to that one page and
 * are not broadcast to every extension page (runtime.sendMessage would be). The document is opened on demand and
 * closed when idle. `attach` is given the port the document connects (the background checks it comes from there).
 *
 * A document can outlive its port: when Chromium stops the idle service worker, the port closes but the document
 * stays. Such a document never connects again, so the background always closes whatever document there is before
 * opening its own, and also once at start-up to free the memory of one left over.
 */
export function createOffscreenKeyWork(deps: OffscreenKeyWorkDeps) {
  const { connectTimeoutMs = 10_000, idleCloseMs = 30_000 } = deps;
  const lifecycle = serialQueue(); // open and close never overlap
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: unknown) => void }>();
  let port: MessagePort | undefined;
  let starting: Promise<MessagePort> | undefined;
  let expecting: ((port: MessagePort) => void) | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;

  const closeQuietly = () => deps.close().catch(() => undefined);
  void lifecycle(closeQuietly);

  function attach(connected: MessagePort): void {
    if (expecting === undefined) {
      connected.disconnect(); // nobody asked for a document (a late one, after its start timed out)
      return;
    }
    connected.onMessage((message) => {
      const response = message as KeyWorkResponse;
      const call = pending.get(response.id);
      if (!call) return;
      pending.delete(response.id);
      if (response.ok) call.ok(response.value);
      else call.fail(new KeywardError(response.code as ErrorCode, response.message, response.details ?? {}));
      if (pending.size === 0) scheduleClose();
    });
    connected.onDisconnect(() => {
      if (port === connected) port = undefined;
      for (const call of pending.values()) call.fail(new KeywardError('unavailable', STOPPED));
      pending.clear();
    });
    port = connected;
    expecting(connected);
  }

  function scheduleClose(): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (pending.size > 0 || starting !== undefined) return;
      const idle = port;
      port = undefined;
      idle?.disconnect();
      void lifecycle(closeQuietly);
    }, idleCloseMs);
  }

  /** Opens a fresh document and waits for its port; a clear `unavailable` error if it never connects. */
  function start(): Promise<MessagePort> {
    return lifecycle(async () => {
      await closeQuietly();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arrival = new Promise<MessagePort>((resolve, reject) => {
        timer = setTimeout(() => {
          expecting = undefined;
          reject(new KeywardError('unavailable', NOT_STARTED));
        }, connectTimeoutMs);
        expecting = (connected) => {
          clearTimeout(timer);
          expecting = undefined;
          resolve(connected);
        };
      });
      try {
        await deps.open();
      } catch (cause) {
        clearTimeout(timer);
        expecting = undefined;
        throw new KeywardError('unavailable', NOT_STARTED, {}, { cause });
      }
      return arrival;
    });
  }

  function connected(): Promise<MessagePort> {
    if (port) return Promise.resolve(port);
    starting ??= start().finally(() => (starting = undefined));
    return starting;
  }

  async function call(op: KeyWorkOp, args: readonly unknown[]): Promise<unknown> {
    clearTimeout(idleTimer);
    const target = await connected();
    const id = nextId++;
    return new Promise((ok, fail) => {
      pending.set(id, { ok, fail });
      try {
        target.post({ id, op, args } satisfies KeyWorkRequest);
      } catch {
        // The document went away and its disconnect has not been delivered yet.
        pending.delete(id);
        if (port === target) port = undefined;
        fail(new KeywardError('unavailable', STOPPED));
      }
    });
  }

  const keyWork: KeyWork = {
    generate: (request) => call('generate', [request]) as ReturnType<KeyWork['generate']>,
    unlock: (locked, passphrase) => call('unlock', [locked, passphrase]) as ReturnType<KeyWork['unlock']>,
    lock: (unlocked, passphrase) => call('lock', [unlocked, passphrase]) as ReturnType<KeyWork['lock']>,
    exportForGnuPG: (locked, passphrase) =>
      call('exportForGnuPG', [locked, passphrase]) as ReturnType<KeyWork['exportForGnuPG']>,
    escrowCreate: (url, o) => call('escrowCreate', [url, o]) as ReturnType<KeyWork['escrowCreate']>,
    escrowRestore: (url, o) => call('escrowRestore', [url, o]) as ReturnType<KeyWork['escrowRestore']>,
    escrowRecover: (url, o) => call('escrowRecover', [url, o]) as ReturnType<KeyWork['escrowRecover']>,
    escrowChangePassphrase: (url, o) =>
      call('escrowChangePassphrase', [url, o]) as ReturnType<KeyWork['escrowChangePassphrase']>,
    escrowDelete: (url, o) => call('escrowDelete', [url, o]) as ReturnType<KeyWork['escrowDelete']>,
  };
  return { keyWork, attach };
}
