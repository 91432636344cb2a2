import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHEAP_ARGON2, makeTestKey } from '../../tests/fixtures/test-keys';
import type { MessagePort } from '../platform/ports';
import { endOf } from '../messaging/channel';
import type { EncryptJob, EncryptJobMessage } from '../upload/encrypt-job-channel';
import { keyWorkChannel } from './key-work-channel';
import { ABORT_GRACE_MS, withSpareWorker } from '../upload/encrypt-job';
import { createInProcessKeyWork } from './key-work';
import { serveKeyWork } from './key-work-server';
import { createOffscreenKeyWork, type OffscreenKeyWorkDeps } from './offscreen-key-work';

/**
 * A structured clone as the browser makes one for a port message. Node's own turns a File into a plain Blob, which
 * browsers do not, so Files are passed on as they are.
 */
function cloneKeepingFiles(value: unknown): unknown {
  if (value instanceof File) return value;
  if (Array.isArray(value)) return value.map(cloneKeepingFiles);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneKeepingFiles(v)]));
  }
  return structuredClone(value);
}

/** Two connected ends of a runtime Port, delivering asynchronously like the browser does. */
function portPair(): [MessagePort, MessagePort] {
  const listeners = [[], []] as ((m: unknown) => void)[][];
  const goneListeners = [[], []] as (() => void)[][];
  let open = true;
  const end = (me: 0 | 1): MessagePort => {
    const other = me === 0 ? 1 : 0;
    return {
      name: 'keyward-key-work',
      sender: undefined,
      post: (message) => {
        if (!open) throw new Error('Attempting to use a disconnected port object');
        const copy = cloneKeepingFiles(message);
        setTimeout(() => listeners[other]!.forEach((l) => l(copy)), 0);
      },
      onMessage: (l) => void listeners[me]!.push(l),
      onDisconnect: (l) => void goneListeners[me]!.push(l),
      disconnect: () => {
        if (!open) return;
        open = false;
        setTimeout(() => goneListeners[other]!.forEach((l) => l()), 0);
      },
    };
  };
  return [end(0), end(1)];
}

/**
 * A stand-in for Chromium's offscreen document: `open` loads a page that connects and serves key work; the page
 * closes itself once its port is gone and its work has stopped (entrypoints/offscreen), unless `hangs`.
 */
function fakeOffscreen(
  options: { connects?: boolean; hangs?: boolean; startEncryptWorker?: () => Worker; log?: string[] } = {},
) {
  const documents: MessagePort[] = [];
  /** The background ends of the documents' ports, as a service worker would hold them. */
  const backgroundEnds: MessagePort[] = [];
  const log: string[] = options.log ?? [];
  let open = false;
  let work: ReturnType<typeof createOffscreenKeyWork> | undefined;
  const deps: OffscreenKeyWorkDeps = {
    open: vi.fn(() => {
      if (open) return Promise.resolve(); // as platform/offscreen.ts: there is one already
      open = true;
      log.push('open');
      if (options.connects !== false) {
        const [background, page] = portPair();
        const worker = options.startEncryptWorker ? { startEncryptWorker: options.startEncryptWorker } : {};
        const closeItself = () => {
          if (options.hangs || !open) return;
          open = false;
          log.push('closed itself');
        };
        serveKeyWork(
          endOf(page, keyWorkChannel.fromAcceptor),
          createInProcessKeyWork({ argon2: CHEAP_ARGON2, ...worker }),
          closeItself,
        );
        documents.push(page);
        backgroundEnds.push(background);
        setTimeout(() => work!.attach(endOf(background, keyWorkChannel.fromOpener)), 5);
      }
      return Promise.resolve();
    }),
    close: vi.fn(() => {
      if (open) log.push('close');
      open = false;
      return Promise.resolve();
    }),
    isOpen: () => Promise.resolve(open),
  };
  return {
    deps,
    log,
    documents,
    /** The document crashed: it is gone, and so is its port. */
    crash: () => {
      open = false;
      documents.at(-1)?.disconnect();
    },
    /** Chromium stops the service worker: every port it held is gone. */
    stopServiceWorker: () => backgroundEnds.forEach((end) => end.disconnect()),
    start: (more: Partial<OffscreenKeyWorkDeps> = {}) =>
      (work = createOffscreenKeyWork({ ...deps, ...more })),
  };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FakeWorkerRecord {
  job?: EncryptJob;
  aborted: boolean;
  terminated: boolean;
}

/**
 * A stand-in for the encryption worker (entrypoints/encrypt-worker.ts): plays the given messages back for a job,
 * one per millisecond. Told to abort, it answers `failed` after `stopsAfterMs` (as the real one does once its file
 * is closed and removed), or never if `ignoresAbort`.
 */
function fakeEncryptWorker(
  script: (job: EncryptJob) => (EncryptJobMessage | 'crash')[],
  options: { stopsAfterMs?: number; ignoresAbort?: boolean; log?: string[] } = {},
) {
  const started: FakeWorkerRecord[] = [];
  const start = () => {
    const record: FakeWorkerRecord = { aborted: false, terminated: false };
    started.push(record);
    const deliver = (message: EncryptJobMessage | 'crash') => {
      if (record.terminated) return;
      if (message === 'crash') worker.onerror?.({ preventDefault: () => undefined } as ErrorEvent);
      else worker.onmessage?.({ data: message } as MessageEvent<EncryptJobMessage>);
    };
    const worker = {
      onmessage: null as ((event: MessageEvent<EncryptJobMessage>) => void) | null,
      onerror: null as ((event: ErrorEvent) => void) | null,
      terminate: () => {
        if (!record.terminated) options.log?.push('worker ended');
        record.terminated = true;
      },
      postMessage: (message: { kind: 'run'; job: EncryptJob } | { kind: 'abort' }) => {
        if (message.kind === 'abort') {
          record.aborted = true;
          const failed = {
            kind: 'failed',
            error: { code: 'unavailable', message: 'The upload was abandoned.' },
          } as const;
          if (!options.ignoresAbort) setTimeout(() => deliver(failed), options.stopsAfterMs ?? 1);
          return;
        }
        record.job = message.job;
        script(message.job).forEach((m, i) => setTimeout(() => !record.aborted && deliver(m), i));
      },
    };
    return worker as unknown as Worker;
  };
  return { start, started };
}

afterEach(() => vi.useRealTimers());

describe('key work in the offscreen document', () => {
  it('opens the document on demand, once for calls that arrive together, and answers each call', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    const { keyWork } = offscreen.start();
    const [a, b] = await Promise.all([
      keyWork.unlock(alice.privateKeyArmored, alice.passphrase),
      keyWork.unlock(alice.privateKeyArmored, alice.passphrase),
    ]);
    expect(a).toBe(alice.unlocked);
    expect(b).toBe(alice.unlocked);
    expect(offscreen.deps.open).toHaveBeenCalledTimes(1);
  });

  it('passes a wrong passphrase back as forbidden, with the vault’s own message', async () => {
    const alice = await makeTestKey();
    const { keyWork } = fakeOffscreen().start();
    await expect(keyWork.unlock(alice.privateKeyArmored, 'wrong')).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Wrong passphrase for this key.',
    });
  });

  it('fails with a clear error instead of hanging when the document never connects', async () => {
    const offscreen = fakeOffscreen({ connects: false });
    const { keyWork, attach } = offscreen.start({ connectTimeoutMs: 50 });
    await expect(keyWork.unlock('x', 'y')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/key worker did not start/) as unknown,
    });
    // A page that connects after the wait gave up is turned away.
    const [late] = portPair();
    const disconnect = vi.spyOn(late, 'disconnect');
    attach(endOf(late, keyWorkChannel.fromOpener));
    expect(disconnect).toHaveBeenCalled();
  });

  it('fails with a clear error when the document cannot be created', async () => {
    const { keyWork } = fakeOffscreen().start({
      open: () => Promise.reject(new Error('Only a single offscreen document may be created.')),
    });
    await expect(keyWork.unlock('x', 'y')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('lets the document close itself once idle (freeing Argon2’s memory) and opens a fresh one for the next call', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    const { keyWork } = offscreen.start({ idleCloseMs: 30 });
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    await later(80);
    expect(offscreen.log).toEqual(['open', 'closed itself']);
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    expect(offscreen.deps.open).toHaveBeenCalledTimes(2);
    expect(offscreen.deps.close).not.toHaveBeenCalled();
  });

  it('a restarted service worker waits for the document the stopped one left to close itself, then opens its own', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    const first = offscreen.start();
    await first.keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    offscreen.stopServiceWorker();
    // A restarted background builds everything anew; the old document's port died with the old worker.
    const { keyWork } = offscreen.start();
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    expect(offscreen.log).toEqual(['open', 'closed itself', 'open']);
  });

  it('a left-over document that does not close itself is closed after the wait, and a fresh one opened', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen({ hangs: true });
    const first = offscreen.start();
    await first.keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    offscreen.stopServiceWorker();
    const { keyWork } = offscreen.start({ retireTimeoutMs: 60 });
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    expect(offscreen.log).toEqual(['open', 'close', 'open']);
  });

  it('fails the calls in progress when the document goes away', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    const { keyWork } = offscreen.start();
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase); // the document is up
    const inProgress = keyWork.lock(alice.unlocked, 'new passphrase');
    offscreen.crash();
    await expect(inProgress).rejects.toMatchObject({ code: 'unavailable', message: /stopped/ });
    // The next call starts a new document.
    await expect(keyWork.unlock(alice.privateKeyArmored, alice.passphrase)).resolves.toBe(alice.unlocked);
  });

  describe('an upload encrypted in the document’s worker', () => {
    const job = (): EncryptJob => ({
      file: new File(['plain'], 'a.txt'),
      recipients: ['-----BEGIN PGP PUBLIC KEY BLOCK-----'],
      signingKey: '-----BEGIN PGP PRIVATE KEY BLOCK-----' as EncryptJob['signingKey'],
      date: 0,
      spoolName: 'upload-1-00000000-0000-0000-0000-000000000000',
    });

    it('relays the worker’s progress before the answer, and ends the worker', async () => {
      const worker = fakeEncryptWorker(() => [
        { kind: 'progress', bytes: 8 },
        { kind: 'progress', bytes: 16 },
        { kind: 'done', result: { bytes: 20 } },
      ]);
      const { keyWork } = fakeOffscreen({ startEncryptWorker: worker.start }).start();
      const seen: number[] = [];
      await expect(keyWork.encryptToSpool(job(), (n) => seen.push(n))).resolves.toEqual({ bytes: 20 });
      expect(seen).toEqual([8, 16]);
      expect(worker.started).toHaveLength(1);
      expect(worker.started[0]!.job?.spoolName).toBe(job().spoolName);
      expect(worker.started[0]!.terminated).toBe(true);
    });

    it('a job the worker fails (say, a revoked recipient) fails with the worker’s code and message', async () => {
      const worker = fakeEncryptWorker(() => [
        { kind: 'progress', bytes: 8 },
        { kind: 'failed', error: { code: 'invalid_input', message: 'The file could not be encrypted.' } },
      ]);
      const { keyWork } = fakeOffscreen({ startEncryptWorker: worker.start }).start();
      await expect(keyWork.encryptToSpool(job())).rejects.toMatchObject({
        code: 'invalid_input',
        message: 'The file could not be encrypted.',
      });
      expect(worker.started[0]!.terminated).toBe(true);
    });

    it('a worker that crashes (out of memory) fails the upload instead of hanging it', async () => {
      const worker = fakeEncryptWorker(() => [{ kind: 'progress', bytes: 8 }, 'crash']);
      const { keyWork } = fakeOffscreen({ startEncryptWorker: worker.start }).start();
      await expect(keyWork.encryptToSpool(job())).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/encryption worker stopped/) as unknown,
      });
    });

    const endless = () => [{ kind: 'progress', bytes: 8 } as const];

    it('a service worker stopped mid-upload: the document stops the worker, and closes itself only after', async () => {
      const log: string[] = [];
      const worker = fakeEncryptWorker(endless, { stopsAfterMs: 40, log });
      const offscreen = fakeOffscreen({ startEncryptWorker: worker.start, log });
      const { keyWork } = offscreen.start();
      void keyWork.encryptToSpool(job()).catch(() => undefined); // that background is gone: nobody hears
      await expect.poll(() => worker.started.length).toBe(1);
      offscreen.stopServiceWorker();
      await expect.poll(() => log).toContain('closed itself');
      expect(worker.started[0]!.aborted).toBe(true);
      // Never closed while its worker might still be writing the file.
      expect(log).toEqual(['open', 'worker ended', 'closed itself']);
    });

    it('a worker that ignores the abort is ended after the grace period, then the document closes', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
      const worker = fakeEncryptWorker(endless, { ignoresAbort: true });
      const offscreen = fakeOffscreen({ startEncryptWorker: worker.start });
      const { keyWork } = offscreen.start();
      void keyWork.encryptToSpool(job()).catch(() => undefined);
      await expect.poll(() => worker.started.length).toBe(1);
      offscreen.stopServiceWorker();
      await vi.advanceTimersByTimeAsync(ABORT_GRACE_MS - 100);
      expect(offscreen.log).not.toContain('closed itself');
      await vi.advanceTimersByTimeAsync(200);
      expect(worker.started[0]!.terminated).toBe(true);
      expect(offscreen.log).toContain('closed itself');
    });

    it('the page went away: its upload is cancelled in the worker, and the call ends once the worker has', async () => {
      const worker = fakeEncryptWorker(endless, { stopsAfterMs: 20 });
      const offscreen = fakeOffscreen({ startEncryptWorker: worker.start });
      const { keyWork } = offscreen.start();
      const abandoned = new AbortController();
      const upload = keyWork.encryptToSpool(job(), undefined, abandoned.signal);
      upload.catch(() => undefined);
      await expect.poll(() => worker.started.length).toBe(1);
      abandoned.abort();
      await expect(upload).rejects.toMatchObject({ code: 'unavailable' });
      expect(worker.started[0]).toMatchObject({ aborted: true, terminated: true });
      // The document stays for the next upload.
      expect(offscreen.log).toEqual(['open']);
    });

    it('a spare worker is started with the document; an upload takes it, and the next starts when it ends', () => {
      let made = 0;
      const take = withSpareWorker(() => {
        made += 1;
        return { terminate: () => undefined } as unknown as Worker;
      });
      expect(made).toBe(1); // ready before the first upload
      const first = take();
      expect(made).toBe(1); // nothing started beside the upload's encryption
      const meanwhile = take(); // a second upload at the same time: a worker of its own
      expect(meanwhile).not.toBe(first);
      expect(made).toBe(2);
      first.terminate();
      expect(made).toBe(3);
      meanwhile.terminate(); // a spare is already waiting
      expect(made).toBe(3);
      expect(take()).not.toBe(first); // one job per worker
    });

    it('where no worker can be started, says so (the background then encrypts itself)', async () => {
      const { keyWork } = fakeOffscreen().start();
      await expect(keyWork.encryptToSpool(job())).rejects.toMatchObject({ code: 'unavailable' });
    });
  });
});
