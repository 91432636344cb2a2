import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isKeywardError } from '../../shared/errors';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { checkKeyserver } from '../../extension/directory/keyserver-check';

let ks: TestKeyserver;
let other: Server;
let otherUrl: string;
beforeAll(async () => {
  ks = await startTestKeyserver();
  other = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'),
  );
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await ks?.close();
  await new Promise((resolve) => other?.close(resolve));
});

describe('checking a keyserver before setting up a key with it', () => {
  it('finds a running keyserver healthy', async () => {
    expect(await checkKeyserver(fetch, ks.url)).toEqual({ url: ks.url, healthy: true });
  });

  it('says when nothing answers at the address', async () => {
    const error = await checkKeyserver(fetch, 'http://127.0.0.1:9', 2000).catch((e: unknown) => e);
    expect(isKeywardError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toMatch(/^Nothing answered at 127\.0\.0\.1:9\./);
  });

  it('says when what answers is not a keyserver', async () => {
    const error = await checkKeyserver(fetch, otherUrl).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/answered, but not as a Keyward keyserver does \(HTTP 200\)/);
  });
});
