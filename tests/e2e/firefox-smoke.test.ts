import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptFile } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { buildForFirefox, firefoxExtensionWithSetup, launchFirefox, requireFirefox } from './harness/firefox';
import { expectFixtureCiphertext } from './harness/fixture-upload';
import { startStaticServer, type StaticServer } from './harness/static-server';

// A Firefox ESR smoke test (puppeteer-core over WebDriver BiDi): the Firefox build, installed in a real Firefox,
// encrypts one upload on an opted-in site and decrypts one download. Setting the key up goes through a page added
// to a copy of the build (see harness/firefox.ts): BiDi cannot drive moz-extension:// pages.
let site: StaticServer;
let files: Server;
let filesOrigin: string;
let downloads: string;
let firefox: Awaited<ReturnType<typeof launchFirefox>>;
let extension: Awaited<ReturnType<typeof firefoxExtensionWithSetup>>;
const original = randomBytes(300 * 1024 + 11);
let setupReport: Promise<unknown>;

beforeAll(async () => {
  await requireFirefox();
  await buildForFirefox();
  const encrypted = await encryptFile({
    plaintext: original,
    recipients: [readFixture('gnupg-ed25519.pub')],
    date: new Date(),
    filename: 'report.pdf',
  });
  const ciphertext = Buffer.from(await readAllBytes(encrypted.ciphertext));
  let reported: (value: unknown) => void = () => undefined;
  setupReport = new Promise((resolve) => (reported = resolve));
  files = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/setup-report') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        reported(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(204).end();
      });
    } else if (req.url === '/files/report.pdf.pgp') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(ciphertext);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  site = await startStaticServer();
  downloads = await mkdtemp(join(tmpdir(), 'keyward-e2e-ffdl-'));
  extension = await firefoxExtensionWithSetup({
    key: readFixture('gnupg-ed25519.sec'),
    passphrase: FIXTURE_PASSPHRASE,
    origin: site.origin,
    reportUrl: `${filesOrigin}/setup-report`,
    decrypt: { url: `${filesOrigin}/files/report.pdf.pgp`, name: 'report.pdf.pgp' },
  });
  firefox = await launchFirefox(downloads);
  await firefox.browser.installExtension(extension.dir);
}, 180_000);

afterAll(async () => {
  await firefox?.close();
  await extension?.remove();
  await site?.close();
  await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
  await rm(downloads, { recursive: true, force: true });
});

describe('Firefox ESR smoke test', () => {
  it('sets up the key and opts the site in through the protocol', async () => {
    const replies = await setupReport;
    expect(replies).toMatchObject([{ ok: true }, { ok: true, value: { enabled: true } }]);
  }, 60_000);

  it('decrypts a download: the decrypt page saves the original file', async () => {
    await expect.poll(() => readdir(downloads), { timeout: 30_000 }).toContain('report.pdf');
    // Firefox creates the file first and fills it as the download runs.
    await expect
      .poll(async () => (await stat(join(downloads, 'report.pdf'))).size, { timeout: 15_000 })
      .toBe(original.length);
    const saved = await readFile(join(downloads, 'report.pdf'));
    expect(createHash('sha256').update(saved).digest('hex')).toBe(
      createHash('sha256').update(original).digest('hex'),
    );
  }, 60_000);

  it('encrypts an upload: the site receives only ciphertext, which decrypts to the original', async () => {
    await setupReport;
    const page = await firefox.browser.newPage();
    await page.goto(site.url('/upload/fetch-formdata.html'));
    const input = await page.waitForSelector('input#file');
    const plaintext = Buffer.from(`Keyward in Firefox ${'z'.repeat(2000)}\n`);
    const path = join(downloads, 'firefox.txt'); // any folder of ours will do
    await writeFile(path, plaintext);
    await input!.uploadFile(path);
    const [upload] = await site.waitForUploads(1, 30_000);
    await expectFixtureCiphertext(upload!, 'firefox.txt', plaintext);
    // The page itself sees the encrypted file's name and can read it (Firefox keeps extension objects from pages).
    await expect(page.$eval('#log', (log) => log.textContent)).resolves.toContain('uploaded firefox.txt.pgp');
    await page.close();
  }, 60_000);
});
