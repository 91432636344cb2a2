import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAnswer, deliverRelease } from '../../extension/downloads/release-delivery';
import { readReleaseAdvert, type ReleaseTarget } from '../../extension/downloads/release-target';

// The decrypt page's delivery (extension/downloads/release-delivery.ts) of a released copy, against a real HTTP server on 127.0.0.1.
let server: Server;
let origin: string;
let elsewhere: Server;
let elsewhereOrigin: string;
const received: { url: string; type: string | undefined; body: Buffer }[] = [];
const stolen: Buffer[] = [];

const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    void read(req).then((body) => {
      stolen.push(body);
      res.writeHead(200).end('thanks');
    });
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  elsewhereOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  server = createServer((req, res) => {
    void read(req).then((body) => {
      received.push({ url: req.url ?? '', type: req.headers['content-type'], body });
      if (req.url === '/release')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else if (req.url === '/refuse')
        res.writeHead(403).end('<b>This copy is not shared with the service.</b>');
      else if (req.url === '/redirect') res.writeHead(307, { location: `${elsewhereOrigin}/collect` }).end();
      else if (req.url === '/long') res.writeHead(200).end('x'.repeat(5000));
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => elsewhere.close(() => r()));
});

function target(path: string): ReleaseTarget {
  const advert = readReleaseAdvert(
    `<${path}>; rel="keyward-release"; address="records@example.org"`,
    `${origin}/records/1/record.json.pgp`,
  );
  if (advert.kind !== 'target') throw new Error(JSON.stringify(advert));
  return advert.target;
}

const copy = new Blob([new Uint8Array([0xc1, 0x5e, 1, 2, 3])]);

describe('delivering a released copy', () => {
  it('posts the copy, as it is, to the advertised place and reports the answer', async () => {
    const answer = await deliverRelease({ target: target('/release'), copy });
    expect(answer).toEqual({ accepted: true, status: 200, text: '{"ok":true}' });
    expect(received.at(-1)).toEqual({
      url: '/release',
      type: 'application/pgp-encrypted',
      body: Buffer.from([0xc1, 0x5e, 1, 2, 3]),
    });
    expect(describeAnswer(target('/release'), answer)).toBe(
      `${new URL(origin).host} accepted the file (HTTP 200): {"ok":true}`,
    );
  });

  it("a refusal is reported with the service's status and words, as text", async () => {
    const answer = await deliverRelease({ target: target('/refuse'), copy });
    expect(answer.accepted).toBe(false);
    expect(describeAnswer(target('/refuse'), answer)).toBe(
      `${new URL(origin).host} refused the file (HTTP 403): <b>This copy is not shared with the service.</b>`,
    );
  });

  it('a long answer is cut', async () => {
    const answer = await deliverRelease({ target: target('/long'), copy });
    expect(answer.text.length).toBeLessThanOrEqual(601);
  });

  it('attack: a redirect to another origin does not carry the copy there', async () => {
    const before = stolen.length;
    await expect(deliverRelease({ target: target('/redirect'), copy })).rejects.toThrow(
      /redirect.*not delivered/,
    );
    expect(stolen.length).toBe(before);
  });

  it('a service that does not answer: a clear error', async () => {
    const down = createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((r) => down.close(() => r()));
    const advert = readReleaseAdvert(
      '</release>; rel="keyward-release"; address="records@example.org"',
      `http://127.0.0.1:${port}/f.pgp`,
    );
    if (advert.kind !== 'target') throw new Error('no target');
    await expect(deliverRelease({ target: advert.target, copy })).rejects.toThrow(
      `127.0.0.1:${port} did not answer, so the copy was not delivered`,
    );
  });
});
