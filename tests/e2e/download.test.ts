import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptFile } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';

// Decrypt on download: a .pgp file behind a login cookie on an opted-in site is saved decrypted, under its
// original name; a truncated one gives an error and no file.
let ext: LaunchedExtension;
let server: Server;
let origin: string;
let downloads: string;
const original = randomBytes(2 * 1024 * 1024 + 7);
let ciphertext: Buffer;
let pageMade: Buffer;
let forSomeoneElse: Buffer;

beforeAll(async () => {
  const encrypted = await encryptFile({
    plaintext: original,
    recipients: [readFixture('gnupg-ed25519.pub')],
    date: new Date(),
    filename: 'report.pdf',
  });
  ciphertext = Buffer.from(await readAllBytes(encrypted.ciphertext));
  const forBlob = await encryptFile({
    plaintext: original,
    recipients: [readFixture('gnupg-ed25519.pub')],
    date: new Date(),
    filename: 'made-here.pdf',
  });
  pageMade = Buffer.from(await readAllBytes(forBlob.ciphertext));
  const other = await encryptFile({
    plaintext: original,
    recipients: [readFixture('gnupg-rsa3072.pub')],
    date: new Date(),
    filename: 'theirs.pdf',
  });
  forSomeoneElse = Buffer.from(await readAllBytes(other.ciphertext));
  server = createServer((req, res) => {
    const loggedIn = /(^|; )session=s3cret/.test(req.headers.cookie ?? '');
    if (req.url === '/login') {
      res.writeHead(200, {
        'set-cookie': 'session=s3cret; Path=/; HttpOnly; SameSite=Lax',
        'content-type': 'text/html',
      });
      res.end(
        '<a id="dl" href="/files/report.pdf.pgp">report.pdf.pgp</a> <a id="broken" href="/files/broken.pgp">broken</a>' +
          ' <a id="key" href="/files/colleague.asc">key</a> <a id="theirs" href="/files/theirs.pdf.pgp">theirs</a>',
      );
    } else if (req.url?.startsWith('/files/') && !loggedIn) {
      res.writeHead(403).end('log in first');
    } else if (req.url === '/files/report.pdf.pgp') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' });
      res.end(ciphertext);
    } else if (req.url === '/blob') {
      // The page fetches the file itself and offers it as a blob: URL it made (as many web apps do).
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<button id="make">Save</button><script>
        document.getElementById('make').addEventListener('click', async () => {
          const data = await (await fetch('/files/made-here.pdf.pgp')).blob();
          const link = Object.assign(document.createElement('a'), {
            href: URL.createObjectURL(data),
            download: 'made-here.pdf.pgp',
          });
          document.body.append(link);
          link.click();
        });
      </script>`);
    } else if (req.url === '/files/made-here.pdf.pgp') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(pageMade);
    } else if (req.url === '/files/colleague.asc') {
      res.writeHead(200, { 'content-type': 'application/pgp-keys', 'content-disposition': 'attachment' });
      res.end(readFixture('gnupg-rsa3072.pub'));
    } else if (req.url === '/files/theirs.pdf.pgp') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' });
      res.end(forSomeoneElse);
    } else if (req.url === '/files/broken.pgp') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' });
      res.end(ciphertext.subarray(0, ciphertext.length - 500));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  downloads = await mkdtemp(join(tmpdir(), 'keyward-e2e-dl-'));
  ext = await launchExtension({ downloadsDir: downloads });
  const send = (type: string, payload: unknown) => askBackground(ext, type, payload);
  expect(
    await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
  ).toMatchObject({ ok: true });
  expect(await send('sites.setEnabled', { origin, enabled: true })).toMatchObject({ ok: true });
});

afterAll(async () => {
  await ext?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await rm(downloads, { recursive: true, force: true });
});

describe('decrypt on download (Chromium)', () => {
  it('saves a cookie-protected .pgp download decrypted, under its original name', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${origin}/login`);
    const [tab] = await Promise.all([ext.context.waitForEvent('page'), page.click('#dl')]);
    // Keyward offers the download; it decrypts only when the user asks in its own page.
    await tab.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab.getByText('Saved report.pdf').waitFor({ timeout: 30_000 });
    await expect.poll(() => readdir(downloads), { timeout: 15_000 }).toContain('report.pdf');
    const saved = await readFile(join(downloads, 'report.pdf'));
    expect(createHash('sha256').update(saved).digest('hex')).toBe(
      createHash('sha256').update(original).digest('hex'),
    );
    expect(await readdir(downloads)).not.toContain('report.pdf.pgp');
    await tab.close();
    await page.close();
  });

  it('saves a page-made blob: download decrypted (read through the content script in that page)', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${origin}/login`);
    await page.goto(`${origin}/blob`);
    const [tab] = await Promise.all([ext.context.waitForEvent('page'), page.click('#make')]);
    // Keyward offers the download; it decrypts only when the user asks in its own page.
    await tab.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab.getByText('Saved made-here.pdf').waitFor({ timeout: 30_000 });
    await expect.poll(() => readdir(downloads), { timeout: 15_000 }).toContain('made-here.pdf');
    const saved = await readFile(join(downloads, 'made-here.pdf'));
    expect(saved.equals(original)).toBe(true);
    expect(await readdir(downloads)).not.toContain('made-here.pdf.pgp');
    await tab.close();
    await page.close();
  });

  it.each([
    [
      'a public key (.asc, nothing to decrypt)',
      '#key',
      'colleague.asc',
      () => readFixture('gnupg-rsa3072.pub'),
    ],
    ["a file for someone else's key", '#theirs', 'theirs.pdf.pgp', () => forSomeoneElse],
  ])('saves %s as it is, with a notice, instead of losing the download', async (_what, link, name, bytes) => {
    const page = await ext.context.newPage();
    await page.goto(`${origin}/login`);
    const [tab] = await Promise.all([ext.context.waitForEvent('page'), page.click(link)]);
    // Keyward offers the download; it decrypts only when the user asks in its own page.
    await tab.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab.getByText(`Saved ${name} as it is`).waitFor({ timeout: 30_000 });
    await expect.poll(() => readdir(downloads), { timeout: 15_000 }).toContain(name);
    expect((await readFile(join(downloads, name))).equals(Buffer.from(bytes()))).toBe(true);
    await tab.close();
    await page.close();
  });

  it('a truncated download gives an error and no file', async () => {
    const before = await readdir(downloads);
    const page = await ext.context.newPage();
    await page.goto(`${origin}/login`);
    const [tab] = await Promise.all([ext.context.waitForEvent('page'), page.click('#broken')]);
    // Keyward offers the download; it decrypts only when the user asks in its own page.
    await tab.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab.getByRole('alert').filter({ hasText: 'Nothing was decrypted' }).waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect((await readdir(downloads)).filter((f) => !before.includes(f))).toEqual([]);
    await tab.close();
    await page.close();
  });
});
