import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { askBackground } from './harness/ask-background';
import { keywardNoticeText } from './harness/keyward-notice';
import { pickFiles } from './harness/pick-files';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { offscreenDocumentOpen, uploadSpoolFiles } from './harness/spool-files';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Faults inside the extension itself. The background (a Chromium service worker the browser may stop at any time)
// dies while it encrypts an upload: the page must get nothing, the user must be told, and the next upload must work.
// Keyward's storage is damaged: it says so, uploads fail closed, and nothing stored is silently dropped.
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

/** Picks the big file on the page and waits until encryption is under way (the notice shows progress). */
async function pickBigFile(page: Page): Promise<void> {
  await page.setInputFiles('#file', bigFile);
  await expect
    .poll(() => keywardNoticeText(ext.context, page), { timeout: 20_000 })
    .toMatch(/Encrypting big\.bin/);
}

/** What the browser does to an idle or misbehaving service worker, done now through the DevTools protocol. */
async function stopServiceWorker(): Promise<void> {
  const extensionPage = await ext.openExtensionPage('options.html');
  const cdp = await ext.context.newCDPSession(extensionPage);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await extensionPage.close();
}

it('the service worker stopped mid-encryption: nothing is uploaded, the user is told, the next upload works', async () => {
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  await pickBigFile(page);
  await stopServiceWorker();

  await expect
    .poll(() => keywardNoticeText(ext.context, page), { timeout: 20_000 })
    .toMatch(/Keyward did not answer, so nothing was uploaded/);
  await expect(
    page.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
  ).resolves.toBe(0);
  await expect(page.locator('#log').textContent()).resolves.toBe('');
  expect(site.uploads).toEqual([]);
  // The offscreen document stopped its encryption worker, which removed its partial file, and closed itself
  // (closing it while the worker still wrote could crash Chromium's extension process).
  await expect.poll(() => uploadSpoolFiles(ext), { timeout: 15_000 }).toEqual([]);
  await expect.poll(() => offscreenDocumentOpen(ext), { timeout: 15_000 }).toBe(false);

  // The worker starts again for the next upload, which goes through encrypted.
  const again = Buffer.from('after the restart');
  await pickFiles(ext.context, page, () => page.click('#file'), {
    name: 'again.txt',
    mimeType: 'text/plain',
    buffer: again,
  });
  const [upload] = await site.waitForUploads(1, 20_000);
  expect(upload!.body.includes(again)).toBe(false);
  expect(upload!.body.toString('latin1')).toContain('filename="again.txt.pgp"');
  await page.close();
}, 90_000);

it('a service worker stopped mid-encryption and the next upload at once: that one goes through, the first leaves nothing', async () => {
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  const uploadsBefore = site.uploads.length;
  const spoolsBefore = await uploadSpoolFiles(ext);
  await pickBigFile(page);
  await stopServiceWorker();

  // The restarted background must not close the old document while its worker writes, nor wait on it for long.
  const again = Buffer.from('right after the restart');
  await pickFiles(ext.context, page, () => page.click('#file'), {
    name: 'now.txt',
    mimeType: 'text/plain',
    buffer: again,
  });
  await expect
    .poll(() => keywardNoticeText(ext.context, page), { timeout: 30_000 })
    .toMatch(/Encrypted now\.txt\.pgp/);
  const uploads = await site.waitForUploads(uploadsBefore + 1, 20_000);
  expect(
    uploads.slice(uploadsBefore).map((u) => u.body.toString('latin1').match(/filename="([^"]+)"/)?.[1]),
  ).toEqual(['now.txt.pgp']);
  expect(uploads.at(-1)!.body.includes(again)).toBe(false);
  // Only now.txt's file is new (the page holds it); the interrupted upload's partial file was removed.
  const newSpools = async () => (await uploadSpoolFiles(ext)).filter((name) => !spoolsBefore.includes(name));
  await expect.poll(newSpools, { timeout: 15_000 }).toHaveLength(1);
  await page.close();
}, 90_000);

it('the page is closed mid-encryption: the encryption stops and no partial ciphertext is kept', async () => {
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  const before = await uploadSpoolFiles(ext);
  await pickBigFile(page);
  await page.close();
  // Had it gone on, its finished file would stay (nobody takes it); stopped, the partial file is removed.
  await expect.poll(() => uploadSpoolFiles(ext), { timeout: 20_000 }).toEqual(before);
  await new Promise((resolve) => setTimeout(resolve, 4_000)); // longer than the rest of that encryption
  expect(await uploadSpoolFiles(ext)).toEqual(before);
}, 60_000);

/** Writes straight into Keyward's storage, as a disk error or a buggy older version might have left it. */
async function corrupt(key: string, value: unknown): Promise<void> {
  await ext.serviceWorker.evaluate(
    ([k, v]) =>
      (
        globalThis as unknown as { chrome: { storage: { local: { set(i: object): Promise<void> } } } }
      ).chrome.storage.local.set({ [k]: v }),
    [key, value] as const,
  );
}

async function stored(key: string): Promise<unknown> {
  return ext.serviceWorker.evaluate(
    async (k) =>
      (
        await (
          globalThis as unknown as {
            chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } };
          }
        ).chrome.storage.local.get(k)
      )[k],
    key,
  );
}

it('a damaged list of sites: uploads fail closed and say so; turning the site on again repairs it', async () => {
  await corrupt('sites', { [site.origin]: { enabled: 'perhaps' } });
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  const before = site.uploads.length;
  await pickFiles(ext.context, page, () => page.click('#file'), {
    name: 'd.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('damaged'),
  });
  await expect
    .poll(() => keywardNoticeText(ext.context, page))
    .toMatch(/Nothing was uploaded: Keyward's list of sites is damaged/);
  await page.waitForTimeout(300);
  expect(site.uploads.length).toBe(before);

  expect(await askBackground(ext, 'sites.setEnabled', { origin: site.origin, enabled: true })).toMatchObject({
    ok: true,
  });
  // Turning the site on again loads its open pages again (that one was behind the options tab: put aside).
  await expect.poll(() => page.isClosed()).toBe(true);
  const again = await ext.context.newPage();
  await again.goto(site.url('/upload/fetch-formdata.html'));
  await pickFiles(ext.context, again, () => again.click('#file'), {
    name: 'r.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('repaired'),
  });
  const uploads = await site.waitForUploads(before + 1, 20_000);
  expect(uploads.at(-1)!.body.toString('latin1')).toContain('filename="r.txt.pgp"');
  await again.close();
});

it('damaged stored keys: the popup says so and the stored keys are left exactly as they were', async () => {
  const damaged = { keys: { NOT_A_FINGERPRINT: 'garbage' }, defaultFingerprint: 7 };
  const original = await stored('vault.keys');
  await corrupt('vault.keys', damaged);
  try {
    const popup = await ext.openExtensionPage('popup.html');
    await popup.getByText(/stored keys are damaged/).waitFor();
    await popup.close();
    expect(await stored('vault.keys')).toEqual(damaged);
  } finally {
    await corrupt('vault.keys', original);
  }
});
