import { rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, readMessage, readPrivateKey, decryptKey } from 'openpgp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { askBackground } from './harness/ask-background';
import {
  axeViolations,
  describeViolations,
  horizontalOverflow,
  REFLOW_VIEWPORTS,
} from './harness/accessibility';
import { keywardNoticeText } from './harness/keyward-notice';
import { pickFiles } from './harness/pick-files';
import { saveScreenshot } from './harness/screenshot';
import { fileParts } from './harness/multipart';
import { writeRandomFile } from './harness/random-file';
import { uploadSpoolFiles } from './harness/spool-files';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Encrypt on upload in the real extension: the site is opted in, the user's key is a GnuPG-made fixture, and the
// test server must receive only ciphertext that decrypts (with that key) to the original bytes.
let ext: LaunchedExtension;
let site: StaticServer;
let other: StaticServer;

const plaintext = (name: string) => Buffer.from(`Keyward e2e upload ${name} ${'x'.repeat(1000)}\n`);

const message = (type: string, payload: unknown) => askBackground(ext, type, payload);

beforeAll(async () => {
  site = await startStaticServer();
  other = await startStaticServer();
  ext = await launchExtension();
  const imported = await message('vault.import', {
    data: readFixture('gnupg-ed25519.sec'),
    passphrase: FIXTURE_PASSPHRASE,
  });
  expect(imported).toMatchObject({ ok: true });
  expect(await message('sites.setEnabled', { origin: site.origin, enabled: true })).toMatchObject({
    ok: true,
    value: { enabled: true },
  });
});
afterAll(async () => {
  await ext?.close();
  await site?.close();
  await other?.close();
});

async function decrypted(data: Buffer, { signed = true } = {}): Promise<Buffer> {
  const privateKey = await decryptKey({
    privateKey: await readPrivateKey({ armoredKey: readFixture('gnupg-ed25519.sec') }),
    passphrase: FIXTURE_PASSPHRASE,
  });
  // openpgp.js's decrypt typings do not resolve under typed lint (see shared/openpgp); the shape is known.
  const result: unknown = await decrypt({
    message: await readMessage({ binaryMessage: new Uint8Array(data) }),
    decryptionKeys: privateKey,
    verificationKeys: privateKey.toPublic(),
    // Uploads are signed with the user's key (an unsigned or badly signed one fails here); pastes are not.
    expectSigned: signed,
    format: 'binary',
  });
  const { data: bytes, signatures } = result as { data: Uint8Array; signatures: unknown[] };
  if (!signed) expect(signatures).toEqual([]);
  return Buffer.from(bytes);
}

/**
 * Puts a small PNG on the browser's clipboard, written by a page of a site that is not opted in (as if copied
 * elsewhere), and returns its bytes.
 */
async function copyImageToClipboard(page: Page): Promise<Buffer> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: other.origin });
  const writer = await page.context().newPage();
  try {
    await writer.goto(other.url('/plain-form.html'));
    const bytes = await writer.evaluate(async () => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 8, height: 8 });
      canvas.getContext('2d')!.fillRect(0, 0, 4, 4);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
      // What the clipboard holds now (the browser may re-encode the image).
      const held = await (await navigator.clipboard.read())[0]!.getType('image/png');
      return Array.from(new Uint8Array(await held.arrayBuffer()));
    });
    return Buffer.from(bytes);
  } finally {
    await writer.close();
    await page.bringToFront();
  }
}

/** The server got `name.pgp`, not the plaintext, and it decrypts to the original bytes. */
async function expectEncryptedUpload(server: StaticServer, count: number, name: string): Promise<void> {
  const uploads = await server.waitForUploads(count, 20_000);
  const upload = uploads[count - 1]!;
  const [part] = fileParts(upload.body, upload.headers['content-type']);
  expect(part?.filename).toBe(`${name}.pgp`);
  expect(upload.body.includes(plaintext(name))).toBe(false);
  expect(await decrypted(part!.data)).toEqual(plaintext(name));
}

async function open(path: string, server = site): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(server.url(path));
  return page;
}

const file = (name: string) => ({ name, mimeType: 'text/plain', buffer: plaintext(name) });

/** The user clicks (`open`) and chooses `name` in whichever picker Keyward opens; returns which it was. */
const pick = (page: Page, open: () => Promise<unknown>, name: string) =>
  pickFiles(ext.context, page, open, file(name));

describe('encrypt on upload (Chromium)', () => {
  let uploads = 0;

  it('a plain multipart form post carries only ciphertext', async () => {
    const page = await open('/plain-form.html');
    // A press on the input opens the browser's picker, on an input only Keyward holds.
    expect(await pick(page, () => page.click('#file'), 'form.txt')).toBe('browser');
    await expect
      .poll(() => page.evaluate(() => (document.querySelector('#file') as HTMLInputElement).files?.[0]?.name))
      .toBe('form.txt.pgp');
    await Promise.all([page.waitForURL(site.url('/upload')), page.click('button[type=submit]')]);
    await expectEncryptedUpload(site, ++uploads, 'form.txt');
    await page.close();
  });

  it('a JavaScript change handler uploading with fetch(FormData) gets only ciphertext', async () => {
    const page = await open('/upload/fetch-formdata.html');
    // Through its label, this time.
    expect(await pick(page, () => page.click('label[for=file]'), 'fetch.txt')).toBe('browser');
    await expectEncryptedUpload(site, ++uploads, 'fetch.txt');
    await expect(page.locator('#log').textContent()).resolves.toContain('fetch.txt.pgp');
    // The notice names who the file was encrypted for, with the user's security phrase.
    const phrase = ((await message('settings.get', {})) as { value: { securityPhrase: string } }).value
      .securityPhrase;
    const notice = await keywardNoticeText(ext.context, page);
    expect(notice).toContain('Encrypted fetch.txt.pgp for: you (GnuPG Ed25519 <gnupg-ed25519@example.org>)');
    expect(notice).toContain(phrase);
    await page.close();
  });

  it("a detached input (React style) gets only ciphertext, through Keyward's picker window", async () => {
    const page = await open('/upload/detached-input.html');
    // The page opens its input from script: the gesture's activation is Keyward's by then, so Keyward's window opens.
    expect(await pick(page, () => page.click('#pick'), 'detached.txt')).toBe('keyward');
    await expectEncryptedUpload(site, ++uploads, 'detached.txt');
    await page.close();
  });

  it.each(['open', 'closed'])('an input in a %s shadow root gets only ciphertext', async (mode) => {
    const page = await open('/upload/shadow-roots.html');
    const host = mode === 'open' ? 'upload-open' : 'upload-closed';
    await pick(page, () => page.locator(host).click(), `${mode}.txt`);
    await expectEncryptedUpload(site, ++uploads, `${mode}.txt`);
    await page.close();
  });

  // Chromium runs Keyward's script in a frame the page built only after the page could reach it: that one is off too.
  it.each(['same-origin', 'srcdoc', 'built'])(
    'a %s frame is switched off: a press there opens nothing, and the notice says why',
    async (id) => {
      const page = await open('/upload/iframes.html');
      const box = (await page.locator(`#${id}`).boundingBox())!;
      await expect
        .poll(() => page.locator(`#${id}`).evaluate((f) => (f as HTMLIFrameElement).inert))
        .toBe(true);
      let chooser = false;
      page.on('filechooser', () => (chooser = true));
      await page.mouse.click(box.x + 10, box.y + 10); // where the frame's input is
      await expect
        .poll(() => keywardNoticeText(ext.context, page), { timeout: 10_000 })
        .toContain('Keyward switched off this frame');
      expect(chooser).toBe(false);
      expect(ext.context.pages().some((p) => p.url().includes('/picker'))).toBe(false);
      expect(site.uploads.length).toBe(uploads);
      await page.close();
    },
  );

  it('drag-and-drop delivers only ciphertext', async () => {
    const page = await open('/upload/drop-zone.html');
    const path = join(tmpdir(), `keyward-drop-${process.pid}.txt`);
    await writeFile(path, plaintext('drop.txt'));
    const { x, y } = (await page.locator('#zone').boundingBox())!;
    const cdp = await ext.context.newCDPSession(page);
    const data = { items: [], files: [path], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: x + 50, y: y + 50, data });
    }
    const uploaded = await site.waitForUploads(uploads + 1, 20_000);
    const [part] = fileParts(uploaded[uploads]!.body, uploaded[uploads]!.headers['content-type']);
    uploads++;
    expect(part!.filename).toMatch(/\.txt\.pgp$/);
    expect(await decrypted(part!.data)).toEqual(plaintext('drop.txt'));
    await page.close();
    await rm(path, { force: true });
  });

  it('a pasted image reaches the page only as ciphertext (encrypted, not signed)', async () => {
    const page = await open('/upload/paste.html');
    // A real paste: an image on the browser's clipboard, then Ctrl+V in the editable element.
    const image = await copyImageToClipboard(page);
    await page.click('#target');
    await page.keyboard.press('Control+V');
    const uploaded = await site.waitForUploads(++uploads, 20_000);
    const upload = uploaded[uploads - 1]!;
    const [part] = fileParts(upload.body, upload.headers['content-type']);
    expect(part?.filename).toBe('image.png.pgp');
    expect(await decrypted(part!.data, { signed: false })).toEqual(image);
    await page.close();
  });

  it('react-dropzone (npm) gets only ciphertext', async () => {
    const page = await open('/widgets/react-dropzone.html');
    // react-dropzone opens its (hidden) input from its root's click handler.
    expect(await pick(page, () => page.click('#dropzone'), 'react.txt')).toBe('keyward');
    await expectEncryptedUpload(site, ++uploads, 'react.txt');
    await page.close();
  });

  it('Dropzone (npm, XMLHttpRequest) gets only ciphertext', async () => {
    const page = await open('/widgets/dropzone.html');
    await pick(page, () => page.click('#dropzone'), 'dropzone.txt');
    await expectEncryptedUpload(site, ++uploads, 'dropzone.txt');
    await page.close();
  });

  it('a page replacing the input prototype with a clean click from a fresh frame, and polling input.files, never gets plaintext', async () => {
    const page = await open('/upload/hostile.html');
    await pick(page, () => page.click('#pick'), 'hostile.txt');
    await expectEncryptedUpload(site, ++uploads, 'hostile.txt');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.length).toBeGreaterThan(0); // the poller did run and saw the files Keyward put there
    expect(seen.filter((name) => !name.endsWith('.pgp'))).toEqual([]);
    await page.close();
  });

  it('hides showOpenFilePicker and showDirectoryPicker on an opted-in site, not elsewhere', async () => {
    const pickers = () =>
      ['showOpenFilePicker', 'showDirectoryPicker'].map((name) => name in (window as unknown as object));
    const page = await open('/upload/fetch-formdata.html');
    await expect(page.evaluate(pickers)).resolves.toEqual([false, false]);
    // Another host (match patterns cannot tell ports apart, so another port of 127.0.0.1 would count as opted in).
    const elsewhere = await ext.context.newPage();
    await elsewhere.goto(other.url('/upload/fetch-formdata.html').replace('127.0.0.1', 'localhost'));
    await expect(elsewhere.evaluate(pickers)).resolves.toEqual([true, true]);
    await page.close();
    await elsewhere.close();
  });

  it('a site that is not opted in receives the original file untouched', async () => {
    const page = await open('/upload/fetch-formdata.html', other);
    await page.setInputFiles('#file', file('plain.txt'));
    const [upload] = await other.waitForUploads(1, 20_000);
    const [part] = fileParts(upload!.body, upload!.headers['content-type']);
    expect(part).toMatchObject({ filename: 'plain.txt', data: plaintext('plain.txt') });
    await page.close();
  });

  it('had no errors in the extension or the pages', () => {
    expect(ext.errors()).toEqual([]);
  });
});

describe('fail closed (Chromium)', () => {
  const uploadSpools = () => uploadSpoolFiles(ext);

  it('a file cut short on disk while it is being encrypted uploads nothing (not its first part as if whole) and leaves no partial ciphertext', async () => {
    const path = join(tmpdir(), `keyward-changing-${process.pid}.bin`);
    await writeRandomFile(path, 64 * 1024 * 1024);
    const page = await ext.context.newPage();
    try {
      await page.goto(site.url('/upload/fetch-formdata.html'));
      const before = await uploadSpools();
      const uploadsBefore = site.uploads.length;
      await page.setInputFiles('#file', path);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await truncate(path, 1024 * 1024); // the browser cannot read the rest of a picked file that was cut short
      await expect
        .poll(() => keywardNoticeText(ext.context, page), { timeout: 30_000 })
        .toMatch(/Nothing was uploaded: The file changed on disk while Keyward was reading it/);
      await expect(
        page.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
      ).resolves.toBe(0);
      expect(site.uploads.length).toBe(uploadsBefore);
      expect(await uploadSpools()).toEqual(before);
    } finally {
      await page.close();
      await rm(path, { force: true });
    }
  });

  it('an upload the background cannot encrypt (no key any more) leaves the input empty and tells the user why', async () => {
    const bare = await launchExtension();
    const server = await startStaticServer();
    try {
      // No site can be opted in without a key; one opted in whose key was deleted since has none.
      await expect(
        askBackground(bare, 'sites.setEnabled', { origin: server.origin, enabled: true }),
      ).resolves.toMatchObject({ ok: false, error: { reason: 'no_key' } });
      const imported = (await askBackground(bare, 'vault.import', {
        data: readFixture('gnupg-ed25519.sec'),
        passphrase: FIXTURE_PASSPHRASE,
      })) as { ok: true; value: { keys: { fingerprint: string }[] } };
      await expect(
        askBackground(bare, 'sites.setEnabled', { origin: server.origin, enabled: true }),
      ).resolves.toMatchObject({ ok: true });
      const fingerprint = imported.value.keys[0]!.fingerprint;
      await expect(askBackground(bare, 'vault.delete', { fingerprint })).resolves.toMatchObject({ ok: true });
      const site = await bare.context.newPage();
      await site.goto(server.url('/upload/fetch-formdata.html'));
      await pickFiles(bare.context, site, () => site.click('#file'), file('nokey.txt'));
      await expect
        .poll(() => keywardNoticeText(bare.context, site))
        .toMatch(/Keyward has no key yet, so nothing was uploaded/);
      await expect(
        site.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
      ).resolves.toBe(0);
      await expect(site.locator('#log').textContent()).resolves.toBe('');
      expect(server.uploads).toEqual([]);
    } finally {
      await bare.close();
      await server.close();
    }
  });
});

describe('a locked vault (Chromium)', () => {
  let locked: LaunchedExtension;
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer();
    locked = await launchExtension();
    const send = (type: string, payload: unknown) => askBackground(locked, type, payload);
    expect(
      await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
    ).toMatchObject({ ok: true });
    expect(await send('sites.setEnabled', { origin: server.origin, enabled: true })).toMatchObject({
      ok: true,
    });
    expect(await send('vault.lock', {})).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await locked?.close();
    await server?.close();
  });

  it('asks to unlock, then encrypts and signs the waiting upload', async () => {
    const site = await locked.context.newPage();
    await site.goto(server.url('/upload/fetch-formdata.html'));
    const [prompt] = await Promise.all([
      locked.context.waitForEvent('page'),
      pickFiles(locked.context, site, () => site.click('#file'), file('locked.txt')),
    ]);
    await prompt.waitForLoadState();
    expect(prompt.url()).toContain('/unlock.html#');
    await prompt.getByText(`${server.origin} is waiting to upload files`).waitFor();
    await expect(
      site.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
    ).resolves.toBe(0);
    await saveScreenshot(prompt, 'unlock-prompt');
    const violations = await axeViolations(prompt);
    expect(violations, describeViolations(violations)).toEqual([]);
    const size = prompt.viewportSize()!;
    for (const reflow of REFLOW_VIEWPORTS) {
      await prompt.setViewportSize({ width: reflow.width, height: reflow.height });
      expect(await horizontalOverflow(prompt), `unlock window at ${reflow.name}`).toBe(0);
    }
    await prompt.setViewportSize(size);
    // By keyboard only: a wrong passphrase first, which comes back selected for retyping.
    const field = prompt.getByLabel(/^Passphrase of/);
    await expect(field.evaluate((input) => input === document.activeElement)).resolves.toBe(true);
    await prompt.keyboard.type('not the passphrase');
    await prompt.keyboard.press('Enter');
    await prompt.getByRole('alert').filter({ hasText: 'Wrong passphrase' }).waitFor({ timeout: 20_000 });
    await expect(
      field.evaluate((input: HTMLInputElement) => [input === document.activeElement, input.selectionEnd]),
    ).resolves.toEqual([true, 'not the passphrase'.length]);
    await prompt.getByLabel('Show passphrase').check();
    await expect(field.getAttribute('type')).resolves.toBe('text');
    await field.focus();
    await prompt.keyboard.type(FIXTURE_PASSPHRASE); // replaces the selection
    await prompt.keyboard.press('Enter');
    await expectEncryptedUpload(server, 1, 'locked.txt');
    await site.close();
  });

  it.each(['Escape', 'Cancel'])(
    'uploads nothing when the user answers the unlock window with %s',
    async (how) => {
      await askBackground(locked, 'vault.lock', {});
      const site = await locked.context.newPage();
      await site.goto(server.url('/upload/fetch-formdata.html'));
      const [prompt] = await Promise.all([
        locked.context.waitForEvent('page'),
        pickFiles(locked.context, site, () => site.click('#file'), file(`${how}.txt`)),
      ]);
      await prompt.waitForLoadState();
      await prompt.getByLabel(/^Passphrase of/).waitFor();
      // The window closes on the key going down, before the key comes up: the key press "fails" for that.
      if (how === 'Escape') await prompt.keyboard.press('Escape').catch(() => undefined);
      else await prompt.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => prompt.isClosed()).toBe(true);
      await expect
        .poll(() => keywardNoticeText(locked.context, site), { timeout: 10_000 })
        .toMatch(/Keyward stayed locked/);
      expect(server.uploads).toHaveLength(1); // only the upload of the test before
      await site.close();
    },
  );

  it('uploads nothing when the user closes the unlock window', async () => {
    await askBackground(locked, 'vault.lock', {});
    const site = await locked.context.newPage();
    await site.goto(server.url('/upload/fetch-formdata.html'));
    const [prompt] = await Promise.all([
      locked.context.waitForEvent('page'),
      pickFiles(locked.context, site, () => site.click('#file'), file('closed.txt')),
    ]);
    await prompt.waitForLoadState();
    await prompt.close();
    await expect
      .poll(() => keywardNoticeText(locked.context, site), { timeout: 10_000 })
      .toMatch(/Keyward stayed locked/);
    await expect(
      site.evaluate(() => (document.getElementById('file') as HTMLInputElement).files?.length),
    ).resolves.toBe(0);
    expect(server.uploads).toHaveLength(1); // only the upload of the previous test
    await site.close();
  });
});
