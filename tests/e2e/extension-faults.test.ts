import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { askBackground } from './harness/ask-background';
import { keywardNoticeText } from './harness/keyward-notice';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Faults inside the extension itself: the background (a Chromium service worker the browser may stop at any time)
// dies while it encrypts an upload. The page must get nothing, the user must be told, and the next upload must work.
let ext: LaunchedExtension;
let site: StaticServer;
let work: string;
let bigFile: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'keyward-e2e-faults-'));
  bigFile = join(work, 'big.bin');
  await writeFile(bigFile, randomBytes(192 * 1024 * 1024)); // several seconds of encryption here
  site = await startStaticServer();
  ext = await launchExtension();
  const send = (type: string, payload: unknown) => askBackground(ext, type, payload);
  expect(
    await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
  ).toMatchObject({ ok: true });
  expect(await send('sites.setEnabled', { origin: site.origin, enabled: true })).toMatchObject({ ok: true });
}, 60_000);

afterAll(async () => {
  await ext?.close();
  await site?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

it('the service worker stopped mid-encryption: nothing is uploaded, the user is told, the next upload works', async () => {
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  await page.setInputFiles('#file', bigFile);
  // Encryption is under way once the in-page notice shows progress.
  await expect
    .poll(() => keywardNoticeText(ext.context, page), { timeout: 20_000 })
    .toMatch(/Encrypting big\.bin/);

  // What the browser does to an idle or misbehaving service worker, done now through the DevTools protocol.
  const extensionPage = await ext.openExtensionPage('options.html');
  const cdp = await ext.context.newCDPSession(extensionPage);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await extensionPage.close();

  await expect
    .poll(() => keywardNoticeText(ext.context, page), { timeout: 20_000 })
    .toMatch(/Keyward did not answer, so nothing was uploaded/);
  await expect(
    page.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
  ).resolves.toBe(0);
  await expect(page.locator('#log').textContent()).resolves.toBe('');
  expect(site.uploads).toEqual([]);

  // The worker starts again for the next upload, which goes through encrypted.
  const again = Buffer.from('after the restart');
  await page.setInputFiles('#file', { name: 'again.txt', mimeType: 'text/plain', buffer: again });
  const [upload] = await site.waitForUploads(1, 20_000);
  expect(upload!.body.includes(again)).toBe(false);
  expect(upload!.body.toString('latin1')).toContain('filename="again.txt.pgp"');
  await page.close();
}, 90_000);
