import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, decryptKey, readMessage, readPrivateKey } from 'openpgp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import {
  axeViolations,
  describeViolations,
  horizontalOverflow,
  REFLOW_VIEWPORTS,
} from './harness/accessibility';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { fileParts } from './harness/multipart';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Strict mode: on a site in strict mode the browser's file picker never opens for the page; Keyward's own picker
// (an extension window) does, and the page's JavaScript only ever holds the encrypted file.
let ext: LaunchedExtension;
let site: StaticServer;
let uploads = 0;
const send = (type: string, payload: unknown) => askBackground(ext, type, payload);

beforeAll(async () => {
  site = await startStaticServer();
  ext = await launchExtension();
  expect(
    await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
  ).toMatchObject({ ok: true });
  expect(await send('sites.setEnabled', { origin: site.origin, enabled: true })).toMatchObject({ ok: true });
  expect(await send('sites.update', { origin: site.origin, strict: true })).toMatchObject({
    ok: true,
    value: { strict: true, outputName: 'pgp' },
  });
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
});

async function decrypted(data: Buffer): Promise<Buffer> {
  const key = await decryptKey({
    privateKey: await readPrivateKey({ armoredKey: readFixture('gnupg-ed25519.sec') }),
    passphrase: FIXTURE_PASSPHRASE,
  });
  const result: unknown = await decrypt({
    message: await readMessage({ binaryMessage: new Uint8Array(data) }),
    decryptionKeys: key,
    format: 'binary',
  });
  return Buffer.from((result as { data: Uint8Array }).data);
}

/** Opens a page of the site, noting any browser file chooser it gets (there must be none in strict mode). */
async function openSite(path: string): Promise<{ page: Page; choosers: number[] }> {
  const page = await ext.context.newPage();
  const choosers: number[] = [];
  page.on('filechooser', () => choosers.push(Date.now()));
  await page.goto(site.url(path));
  // The content script asks the background for the site's mode when it starts.
  await page.waitForTimeout(300);
  return { page, choosers };
}

/** Does `open` in the site's page and returns Keyward's picker window that it opened. */
async function pickerOpenedBy(open: () => Promise<void>): Promise<Page> {
  const [picker] = await Promise.all([ext.context.waitForEvent('page'), open()]);
  await picker.waitForLoadState();
  expect(picker.url()).toBe(ext.extensionUrl(picker.url().slice(picker.url().indexOf('/picker.html') + 1)));
  await picker.getByText('asks for').waitFor();
  return picker;
}

async function expectCiphertextUpload(name: string, plaintext: Buffer, uploadedName = `${name}.pgp`) {
  const all = await site.waitForUploads(++uploads, 20_000);
  const upload = all[uploads - 1]!;
  const [part] = fileParts(upload.body, upload.headers['content-type']);
  expect(part?.filename).toBe(uploadedName);
  expect(upload.body.includes(plaintext)).toBe(false);
  expect(await decrypted(part!.data)).toEqual(plaintext);
}

describe('strict mode (Chromium)', () => {
  it("clicking the site's file input opens Keyward's picker, never the browser's; the page gets only ciphertext", async () => {
    const { page, choosers } = await openSite('/upload/fetch-formdata.html');
    const picker = await pickerOpenedBy(() => page.click('#file'));
    expect(await picker.locator('#why').textContent()).toContain(new URL(site.origin).host);
    expect(await picker.locator('#security-phrase').textContent()).not.toBe('');
    await saveScreenshot(picker, 'strict-mode-picker');
    const violations = await axeViolations(picker);
    expect(violations, describeViolations(violations)).toEqual([]);
    for (const reflow of REFLOW_VIEWPORTS) {
      await picker.setViewportSize({ width: reflow.width, height: reflow.height });
      expect(await horizontalOverflow(picker), reflow.name).toBe(0);
    }
    const plaintext = Buffer.from(`strict ${'s'.repeat(300)}`);
    await picker.setInputFiles('#files', { name: 'strict.txt', mimeType: 'text/plain', buffer: plaintext });
    await expectCiphertextUpload('strict.txt', plaintext);
    await expect.poll(() => picker.isClosed()).toBe(true);
    await expect.poll(() => page.locator('#log').textContent()).toContain('strict.txt.pgp');
    expect(choosers).toEqual([]);
    await page.close();
  });

  it("a detached input's click() (React style) opens Keyward's picker too", async () => {
    const { page, choosers } = await openSite('/upload/detached-input.html');
    const picker = await pickerOpenedBy(() => page.click('#pick'));
    const plaintext = Buffer.from('detached in strict mode');
    await picker.setInputFiles('#files', { name: 'detached.txt', mimeType: 'text/plain', buffer: plaintext });
    await expectCiphertextUpload('detached.txt', plaintext);
    expect(choosers).toEqual([]);
    await page.close();
  });

  it.each(['open', 'closed'])("an input in a %s shadow root opens Keyward's picker", async (mode) => {
    const { page, choosers } = await openSite('/upload/shadow-roots.html');
    const picker = await pickerOpenedBy(() => page.locator(`upload-${mode}`).click());
    const plaintext = Buffer.from(`in a ${mode} shadow root`);
    await picker.setInputFiles('#files', { name: `${mode}.txt`, mimeType: 'text/plain', buffer: plaintext });
    await expectCiphertextUpload(`${mode}.txt`, plaintext);
    expect(choosers).toEqual([]);
    await page.close();
  });

  it("showPicker() opens Keyward's picker too", async () => {
    const { page, choosers } = await openSite('/upload/fetch-formdata.html');
    await page.evaluate(() => {
      const button = Object.assign(document.createElement('button'), { id: 'show', textContent: 'Show' });
      button.addEventListener('click', () =>
        (document.getElementById('file') as HTMLInputElement).showPicker(),
      );
      document.body.append(button);
    });
    const picker = await pickerOpenedBy(() => page.click('#show'));
    const plaintext = Buffer.from('via showPicker');
    await picker.setInputFiles('#files', { name: 'shown.txt', mimeType: 'text/plain', buffer: plaintext });
    await expectCiphertextUpload('shown.txt', plaintext);
    expect(choosers).toEqual([]);
    await page.close();
  });

  it('closing the picker uploads nothing, and the input hears cancel', async () => {
    const { page } = await openSite('/upload/fetch-formdata.html');
    await page.evaluate(() => {
      const input = document.getElementById('file') as HTMLInputElement;
      input.addEventListener('cancel', () => document.body.setAttribute('data-cancelled', 'yes'));
    });
    const picker = await pickerOpenedBy(() => page.click('#file'));
    await picker.click('#cancel');
    await expect.poll(() => page.getAttribute('body', 'data-cancelled')).toBe('yes');
    await expect(
      page.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
    ).resolves.toBe(0);
    await page.waitForTimeout(300);
    expect(site.uploads).toHaveLength(uploads);
    await page.close();
  });

  it("attack: a file dragged into Keyward's picker window (a page can fill a drag with files it made) is not taken", async () => {
    const { page } = await openSite('/upload/fetch-formdata.html');
    const picker = await pickerOpenedBy(() => page.click('#file'));
    const path = join(tmpdir(), `keyward-strict-drag-${process.pid}.txt`);
    await writeFile(path, 'words a page chose, to be signed as the user');
    const box = (await picker.locator('#files').boundingBox())!;
    const cdp = await ext.context.newCDPSession(picker);
    const data = { items: [], files: [path], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: box.x + 5, y: box.y + 5, data });
    }
    await cdp.detach();
    await picker.getByText('Dropped files are not taken here').waitFor();
    await expect(
      picker.evaluate(() => (document.getElementById('files') as HTMLInputElement).files?.length),
    ).resolves.toBe(0);
    await page.waitForTimeout(300);
    expect(site.uploads).toHaveLength(uploads);
    await picker.click('#cancel');
    await page.close();
    await rm(path, { force: true });
  });

  it('a page clicking its input without a user gesture opens no picker at all', async () => {
    const pagesBefore = ext.context.pages().length;
    const page = await ext.context.newPage();
    const choosers: number[] = [];
    page.on('filechooser', () => choosers.push(Date.now()));
    // Clicks from the page's own scripts at load time carry no user activation (evaluate() from a test would).
    await page.addInitScript(() =>
      addEventListener('load', () =>
        setTimeout(() => (document.getElementById('file') as HTMLInputElement).click(), 300),
      ),
    );
    await page.goto(site.url('/upload/fetch-formdata.html'));
    await page.waitForTimeout(1000);
    expect(ext.context.pages().length).toBe(pagesBefore + 1);
    expect(choosers).toEqual([]);
    await page.close();
  });

  it('keeps the original file name when the site is set to, still encrypting', async () => {
    expect(await send('sites.update', { origin: site.origin, outputName: 'same' })).toMatchObject({
      ok: true,
      value: { strict: true, outputName: 'same' },
    });
    const { page } = await openSite('/upload/fetch-formdata.html');
    const picker = await pickerOpenedBy(() => page.click('#file'));
    const plaintext = Buffer.from('%PDF-1.7 pretend');
    await picker.setInputFiles('#files', {
      name: 'report.pdf',
      mimeType: 'application/pdf',
      buffer: plaintext,
    });
    await expectCiphertextUpload('report.pdf', plaintext, 'report.pdf');
    await page.close();
  });

  it('had no errors in the extension or the pages', () => {
    expect(ext.errors()).toEqual([]);
  });
});
