import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fingerprint } from '../../shared/identity';
import { manualClock } from '../../shared/clock';
import { createVksClient } from '../../extension/directory/vks-client';
import { createPublisher } from '../../extension/publishing/publisher';
import type { StorageArea } from '../../extension/platform/storage';
import { linkIn } from '../../keyserver/test-support/mail-catcher';
import { makeTestKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';

// The extension's publishing code (VKS client + publisher) against a real keyserver: real SQLite, real SMTP.
function memoryArea(): StorageArea {
  const items = new Map<string, unknown>();
  return {
    get: (key) => Promise.resolve(items.get(key)),
    getAll: () => Promise.resolve(Object.fromEntries(items)),
    set: (values) => Promise.resolve(void Object.entries(values).forEach(([k, v]) => items.set(k, v))),
    remove: (keys) => Promise.resolve(void [keys].flat().forEach((k) => items.delete(k))),
  };
}

let ks: TestKeyserver;
beforeAll(async () => {
  ks = await startTestKeyserver({ MAIL_ENCRYPT: 'never', RATE_UPLOADS_PER_HOUR: '4' });
});
afterAll(() => ks?.close());

const vks = createVksClient({ fetch, timeoutMs: 3000 });

describe('publishing a key from the extension', () => {
  it('uploads, asks for verification, and reports pending then published', async () => {
    const key = await makeTestKey([{ name: 'Pub', email: 'pub@example.org' }]);
    const publisher = createPublisher({
      vks,
      local: memoryArea(),
      clock: manualClock(),
      keyserverUrl: () => Promise.resolve(ks.url),
      publicKey: () => Promise.resolve(key.publicArmored),
    });
    expect(await publisher.last(key.fingerprint)).toBeNull();
    const pending = await publisher.publish(Fingerprint.parse(key.fingerprint));
    expect(pending.addresses).toEqual([{ email: 'pub@example.org', state: 'pending' }]);
    expect(await publisher.last(key.fingerprint)).toEqual(pending);

    const link = linkIn(await ks.mail.next('pub@example.org'), '/verify/');
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect((await publisher.refresh(Fingerprint.parse(key.fingerprint))).addresses).toEqual([
      { email: 'pub@example.org', state: 'published' },
    ]);
    // A refresh sends no further mail.
    expect(ks.mail.countTo('pub@example.org')).toBe(1);
  });

  it('says so clearly when the keyserver is down (a closed port)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(vks.upload(dead, 'x')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`The keyserver at ${dead} did not answer`) as unknown,
    });
  });

  it('gives up on a keyserver that accepts the connection but never answers', async () => {
    const silent = createServer(() => undefined); // never responds
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const impatient = createVksClient({ fetch, timeoutMs: 200 });
      await expect(impatient.upload(url, 'x')).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining(`The keyserver at ${url} did not answer`) as unknown,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reports a failing keyserver (5xx) as unavailable, without its internals', async () => {
    const failing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'database at 10.0.0.5 refused' }));
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    try {
      const error: unknown = await vks.upload(url, 'x').catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'unavailable',
        message: `The keyserver at ${url} failed (HTTP 500).`,
      });
    } finally {
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });

  it('passes on the keyserver’s own words for a bad upload, and its rate limit with the wait', async () => {
    await expect(vks.upload(ks.url, 'not a key')).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^Keyserver: /) as unknown,
    });
    const key = await makeTestKey([{ email: 'often@example.org' }]);
    let refusal: unknown;
    for (let i = 0; i < 10 && refusal === undefined; i++) {
      await vks.upload(ks.url, key.publicArmored).catch((e: unknown) => (refusal = e));
    }
    expect(refusal).toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number) as unknown },
      message: expect.stringMatching(/Try again in \d+ seconds/) as unknown,
    });
  });
});
