import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHEAP_ARGON2, makeTestKey } from '../../tests/fixtures/test-keys';
import type { MessagePort } from '../platform/ports';
import { createInProcessKeyWork } from './key-work';
import { serveKeyWork } from './key-work-server';
import { createOffscreenKeyWork, type OffscreenKeyWorkDeps } from './offscreen-key-work';

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
        const copy = structuredClone(message);
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

/** A stand-in for Chromium's offscreen document: `open` loads a page that connects and serves key work. */
function fakeOffscreen(options: { connects?: boolean } = {}) {
  const documents: MessagePort[] = [];
  const log: string[] = [];
  let work: ReturnType<typeof createOffscreenKeyWork> | undefined;
  const deps: OffscreenKeyWorkDeps = {
    open: vi.fn(() => {
      log.push('open');
      if (options.connects !== false) {
        const [background, page] = portPair();
        serveKeyWork(page, createInProcessKeyWork({ argon2: CHEAP_ARGON2 }));
        documents.push(page);
        setTimeout(() => work!.attach(background), 5);
      }
      return Promise.resolve();
    }),
    close: vi.fn(() => {
      log.push('close');
      return Promise.resolve();
    }),
  };
  return {
    deps,
    log,
    documents,
    start: (more: Partial<OffscreenKeyWorkDeps> = {}) =>
      (work = createOffscreenKeyWork({ ...deps, ...more })),
  };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    attach(late);
    expect(disconnect).toHaveBeenCalled();
  });

  it('fails with a clear error when the document cannot be created', async () => {
    const { keyWork } = fakeOffscreen().start({
      open: () => Promise.reject(new Error('Only a single offscreen document may be created.')),
    });
    await expect(keyWork.unlock('x', 'y')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('closes the document once idle (freeing Argon2’s memory) and opens a fresh one for the next call', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    const { keyWork } = offscreen.start({ idleCloseMs: 30 });
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    await later(80);
    expect(offscreen.log).toEqual(['close', 'close', 'open', 'close']);
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    expect(offscreen.deps.open).toHaveBeenCalledTimes(2);
  });

  it('replaces a document left behind by a stopped service worker (it would never connect again)', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    offscreen.start();
    // A restarted background builds everything anew; the old document's port died with the old worker.
    const { keyWork } = offscreen.start();
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase);
    expect(offscreen.log.indexOf('close')).toBeLessThan(offscreen.log.indexOf('open'));
  });

  it('fails the calls in progress when the document goes away', async () => {
    const alice = await makeTestKey();
    const offscreen = fakeOffscreen();
    const { keyWork } = offscreen.start();
    await keyWork.unlock(alice.privateKeyArmored, alice.passphrase); // the document is up
    const inProgress = keyWork.lock(alice.unlocked, 'new passphrase');
    offscreen.documents[0]!.disconnect();
    await expect(inProgress).rejects.toMatchObject({ code: 'unavailable', message: /stopped/ });
    // The next call starts a new document.
    await expect(keyWork.unlock(alice.privateKeyArmored, alice.passphrase)).resolves.toBe(alice.unlocked);
  });
});
