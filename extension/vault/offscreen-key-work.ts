import { KeywardError } from '../../shared/errors';
import { fromWireError } from '../messaging/wire-error';
import { serialQueue } from '../../shared/serial-queue';
import type { AcceptorEnd } from '../messaging/channel';
import type { KeyWork } from './key-work';
import { keyWorkCalls, type keyWorkChannel, type KeyWorkCall, type KeyWorkOp } from './key-work-channel';

type OffscreenEnd = AcceptorEnd<typeof keyWorkChannel>;

export interface OffscreenKeyWorkDeps {
  /** Creates the offscreen document, which then opens a keyWorkChannel port (entrypoints/offscreen). */
  readonly open: () => Promise<void>;
  /** Closes it; resolves also when there is none. */
  readonly close: () => Promise<void>;
  /** Whether a document is open (perhaps one left by a service worker that stopped). */
  readonly isOpen: () => Promise<boolean>;
  /** How long to wait for the offscreen page to connect before giving up (not hanging). */
  readonly connectTimeoutMs?: number;
  /** Argon2's WASM memory is freed by closing the document once it has been idle this long. */
  readonly idleCloseMs?: number;
  /** How long a document that lost its port gets to stop its work and close itself before it is closed. */
  readonly retireTimeoutMs?: number;
}

const NOT_STARTED = 'Keyward’s key worker did not start. Try again, or reload the extension.';
const RETIRE_POLL_MS = 50;
const STOPPED = 'Keyward’s key worker stopped before it answered. Try again.';

/**
 * KeyWork run in Chromium's offscreen document, reached over a runtime Port so passphrases go to that one page and
 * are not broadcast to every extension page (runtime.sendMessage would be). The document is opened on demand and
 * closed when idle. `attach` is given the port the document connects (the background checks it comes from there).
 *
 * A document can outlive its port: when Chromium stops the service worker, the port closes but the document stays.
 * Such a document never connects again; it stops its work (an upload's worker closes and removes its file) and
 * closes itself (key-work-server.ts). The background lets it: closing a document while its worker writes a file can
 * crash Chromium's extension process. So before opening its own document, and once at start-up, the background
 * waits for any document there is to go, and closes it only if it is still there after `retireTimeoutMs`. When
 * idle, the background lets go of the port and the document closes itself the same way.
 */
export function createOffscreenKeyWork(deps: OffscreenKeyWorkDeps) {
  const { connectTimeoutMs = 10_000, idleCloseMs = 30_000, retireTimeoutMs = 8_000 } = deps;
  const lifecycle = serialQueue(); // open and close never overlap
  const pending = new Map<
    number,
    { op: KeyWorkOp; ok: (v: unknown) => void; fail: (e: unknown) => void; progress?: (n: number) => void }
  >();
  let port: OffscreenEnd | undefined;
  let starting: Promise<OffscreenEnd> | undefined;
  let expecting: ((port: OffscreenEnd) => void) | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;

  /** Waits for a document without a port to close itself; closes it if it has not after retireTimeoutMs. */
  async function retire(): Promise<void> {
    const deadline = Date.now() + retireTimeoutMs;
    while (await deps.isOpen().catch(() => false)) {
      if (Date.now() >= deadline) {
        await deps.close().catch(() => undefined);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETIRE_POLL_MS));
    }
  }
  void lifecycle(retire);

  function attach(connected: OffscreenEnd): void {
    if (expecting === undefined) {
      connected.disconnect(); // nobody asked for a document (a late one, after its start timed out)
      return;
    }
    connected.onMessage((response) => {
      const call = pending.get(response.id);
      if (!call) return;
      if ('progress' in response) {
        call.progress?.(response.progress);
        return;
      }
      pending.delete(response.id);
      if (!response.ok) call.fail(fromWireError(response.error));
      else {
        // The document is Keyward's own, but what crosses is checked like everything else: a result of the
        // wrong shape fails the call instead of reaching the vault.
        const result = keyWorkCalls[call.op].result.safeParse(response.value);
        if (result.success) call.ok(result.data);
        else call.fail(new KeywardError('unavailable', STOPPED));
      }
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
      idle?.disconnect(); // the document closes itself
      void lifecycle(retire);
    }, idleCloseMs);
  }

  /** Opens a fresh document and waits for its port; a clear `unavailable` error if it never connects. */
  function start(): Promise<OffscreenEnd> {
    return lifecycle(async () => {
      await retire();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arrival = new Promise<OffscreenEnd>((resolve, reject) => {
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

  function connected(): Promise<OffscreenEnd> {
    if (port) return Promise.resolve(port);
    starting ??= start().finally(() => (starting = undefined));
    return starting;
  }

  async function call(
    op: KeyWorkOp,
    args: readonly unknown[],
    progress?: (n: number) => void,
    signal?: AbortSignal,
  ): Promise<unknown> {
    clearTimeout(idleTimer);
    const target = await connected();
    const id = nextId++;
    return new Promise((ok, fail) => {
      pending.set(id, { op, ok, fail, ...(progress ? { progress } : {}) });
      try {
        // The arguments are the vault's own, typed by KeyWork; the document parses them with keyWorkCalls.
        target.post({ id, op, args } as KeyWorkCall);
      } catch {
        // The document went away and its disconnect has not been delivered yet.
        pending.delete(id);
        if (port === target) port = undefined;
        fail(new KeywardError('unavailable', STOPPED));
        return;
      }
      // The call still ends with the document's answer, once the work has really stopped.
      const cancel = () => {
        if (!pending.has(id)) return;
        try {
          target.post({ id, cancel: true });
        } catch {
          // Gone: the document stops everything itself.
        }
      };
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
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
    encryptToSpool: (job, onProgress, signal) =>
      call('encryptToSpool', [job], onProgress, signal) as ReturnType<KeyWork['encryptToSpool']>,
  };
  return { keyWork, attach };
}
