import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscrowClient } from '../../shared/escrow';
import { codeIn } from '../../keyserver/test-support/escrow-client';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import { askBackground, askBackgroundOk } from './harness/ask-background';
import { pickFiles } from './harness/pick-files';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { fileParts } from './harness/multipart';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Recovery in real browsers against a real keyserver process: profile A creates a key, sets up recovery (the
// escrow) in its options page and uploads an encrypted file; a fresh profile B gets the key back with address,
// passphrase and a mailed code and decrypts that file; a fresh profile C gets it back with the recovery code.
const EMAIL = 'robin@example.org';
const PASSPHRASE = 'copper heron sings under eleven moons';
const NEW_PASSPHRASE = 'violet harbor juggles ninety quiet lamps';
const CHANGED_PASSPHRASE = 'amber walrus reads twelve quiet maps';

let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let keyserver: Awaited<ReturnType<typeof startKeyserverProcess>>;
let dataDir: string;
let site: StaticServer;
const browsers: LaunchedExtension[] = [];
let ciphertext: Buffer;
let recoveryWords: string[];
const plaintext = Buffer.from(`Robin's file ${'r'.repeat(4000)}\n`);

const ok = askBackgroundOk;

async function fresh(): Promise<LaunchedExtension> {
  const ext = await launchExtension();
  browsers.push(ext);
  await ok(ext, 'settings.update', { keyserverUrl: keyserver.url });
  return ext;
}

/** Clicks the button that mails a code, and returns the code from that mail. */
async function mailedCode(click: () => Promise<void>): Promise<string> {
  const before = mail.countTo(EMAIL);
  await click();
  return codeIn(await mail.next(EMAIL, 15_000, before));
}

/** Reads the recovery kit's words and confirms the two it asks for. */
async function confirmKit(page: Page): Promise<string[]> {
  const dialog = page.getByRole('dialog', { name: 'Your recovery code' });
  await dialog.waitFor({ timeout: 60_000 });
  const words = await dialog.locator('.kit-word').allTextContents();
  expect(words).toHaveLength(12);
  await saveScreenshot(page, 'recovery-kit');
  await dialog.getByRole('button', { name: 'I have written them down' }).click();
  for (const label of await dialog.locator('form label span').allTextContents()) {
    const n = Number(/Word (\d+)/.exec(label)![1]);
    await dialog.getByLabel(label, { exact: true }).fill(words[n - 1]!);
  }
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.waitFor({ state: 'detached' });
  return words;
}

/** Decrypts the file in the extension's decrypt page and returns what it offers to save. */
async function decrypts(ext: LaunchedExtension): Promise<Buffer> {
  const page = await ext.openExtensionPage('decrypt.html');
  await page.setInputFiles('#file', {
    name: 'notes.txt.pgp',
    mimeType: 'application/octet-stream',
    buffer: ciphertext,
  });
  await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
  const bytes = await page.evaluate(async () => {
    const href = (document.querySelector('#save') as HTMLAnchorElement).href;
    return Array.from(new Uint8Array(await (await fetch(href)).arrayBuffer()));
  });
  await page.close();
  return Buffer.from(bytes);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-recovery-'));
  mail = await startMailCatcher();
  keyserver = await startKeyserverProcess({ DATA_DIR: dataDir, SMTP_URL: mail.url, MAIL_ENCRYPT: 'never' });
  site = await startStaticServer();
}, 60_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await site?.close();
  await keyserver?.stop();
  await mail?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('recovery (three Chromium profiles, one keyserver)', () => {
  it('A creates a key, sets up recovery in the options page, and uploads an encrypted file', async () => {
    const a = await fresh();
    await ok(a, 'vault.create', { name: 'Robin', email: EMAIL, passphrase: PASSPHRASE });
    const options = await a.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
    const recovery = options.getByRole('region', { name: 'Recovery' });
    await recovery.getByText('Not set up.', { exact: false }).waitFor();
    await recovery.getByLabel('Passphrase of this key').fill(PASSPHRASE);
    const code = await mailedCode(() => recovery.getByRole('button', { name: 'Mail me a code' }).click());
    await recovery.getByLabel(`Code mailed to ${EMAIL}`).fill(code);
    await recovery.getByRole('button', { name: 'Set up recovery' }).click();
    recoveryWords = await confirmKit(options);
    await options
      .getByRole('region', { name: 'Recovery' })
      .getByText('A passphrase-locked copy is kept')
      .waitFor();
    await saveScreenshot(options, 'options-recovery-set-up');
    await options.close();

    await ok(a, 'sites.setEnabled', { origin: site.origin, enabled: true });
    const page = await a.context.newPage();
    await page.goto(site.url('/upload/fetch-formdata.html'));
    await pickFiles(a.context, page, () => page.click('#file'), {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: plaintext,
    });
    const [upload] = await site.waitForUploads(1, 30_000);
    ciphertext = fileParts(upload!.body, upload!.headers['content-type'])[0]!.data;
    expect(ciphertext.includes(plaintext)).toBe(false);
    await page.close();
  }, 180_000);

  it('a fresh profile B gets the key back with address, passphrase and the mailed code, and decrypts the file', async () => {
    const b = await fresh();
    const options = await b.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
    await options.getByRole('tab', { name: 'I already have a Keyward key' }).click();
    const form = options.locator('#restore-form');
    await form.getByLabel('Email address').fill(EMAIL);
    await form.getByLabel('Passphrase').fill(PASSPHRASE);
    const code = await mailedCode(() => form.getByRole('button', { name: 'Mail me a code' }).click());
    await form.getByLabel('Code from the mail').fill(code);
    await saveScreenshot(options, 'options-restore');
    await form.getByRole('button', { name: 'Restore my key' }).click();
    await options.getByRole('article', { name: `Robin <${EMAIL}>` }).waitFor({ timeout: 60_000 });
    await options.close();
    expect(await decrypts(b)).toEqual(plaintext);
  }, 180_000);

  it('a fresh profile C gets the key back with the recovery code, under a new passphrase and a new code', async () => {
    const c = await fresh();
    const options = await c.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
    await options.getByRole('tab', { name: 'I already have a Keyward key' }).click();
    await options.getByText('Forgot the passphrase? Use my recovery code').click();
    const form = options.locator('#recover-form');
    // Sent empty: each missing field says so at itself, in words (no schema text, no word about strength yet).
    await form.getByRole('button', { name: 'Recover my key' }).click();
    await form.getByText('Enter the address your key is kept under').waitFor();
    await form.getByText('Enter your recovery code, as the recovery kit shows it.').waitFor();
    await expect(form.getByLabel('Email address').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(
      form.getByLabel('Email address').evaluate((input) => input === document.activeElement),
    ).resolves.toBe(true);
    await expect(form.textContent()).resolves.not.toMatch(/Malformed|too easy to guess|✖/);
    await form.getByLabel('Email address').fill(EMAIL);
    await form.getByLabel('Recovery code (12 words)').fill(recoveryWords.join(' '));
    const code = await mailedCode(() => form.getByRole('button', { name: 'Mail me a code' }).click());
    await form.getByLabel('Code from the mail').fill(code);
    await form.getByLabel('New passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    await form.getByLabel('Repeat the new passphrase').fill(NEW_PASSPHRASE);
    await form.getByRole('button', { name: 'Recover my key' }).click();
    const newWords = await confirmKit(options);
    expect(newWords).not.toEqual(recoveryWords);
    await options.getByRole('article', { name: `Robin <${EMAIL}>` }).waitFor({ timeout: 60_000 });
    await options.close();
    expect(await decrypts(c)).toEqual(plaintext);
    // The key is locked with the new passphrase now.
    await ok(c, 'vault.lock', {});
    expect(await askBackground(c, 'vault.unlock', { passphrase: NEW_PASSPHRASE })).toMatchObject({
      ok: true,
    });
  }, 180_000);

  it('device hand-over: a fresh profile D shows a code, A reads its QR code from a screenshot and sends the key', async () => {
    const [a] = browsers;
    const d = await fresh();
    const newDevice = await d.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
    await newDevice.getByRole('tab', { name: 'I already have a Keyward key' }).click();
    await newDevice.getByText('Hand it over from my other device').click();
    await newDevice.getByRole('button', { name: 'Show a hand-over code' }).click();
    const shown = newDevice.locator('.handover-words');
    await expect.poll(() => shown.textContent(), { timeout: 20_000 }).toMatch(/^(\w+ ){6}\w+$/);
    const qrPicture = await newDevice.locator('.handover-qr svg').screenshot();
    await saveScreenshot(newDevice, 'handover-new-device');

    const oldDevice = await a!.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
    const recovery = oldDevice.getByRole('region', { name: 'Recovery' });
    await recovery.getByText('Hand over to a new device').click();
    await recovery.getByLabel('…or a picture of its QR code').setInputFiles({
      name: 'qr.png',
      mimeType: 'image/png',
      buffer: qrPicture,
    });
    const words = recovery.getByLabel('The 7 words the new device shows');
    await expect.poll(() => words.inputValue(), { timeout: 10_000 }).toBe(await shown.textContent());
    await recovery.getByRole('button', { name: 'Send the key' }).click();
    await recovery.getByText('Sent, encrypted for the new device').waitFor({ timeout: 30_000 });
    await oldDevice.close();

    await newDevice.getByText('The key arrived').waitFor({ timeout: 30_000 });
    await newDevice.getByLabel('Passphrase of the key').fill(PASSPHRASE);
    await newDevice.getByRole('button', { name: 'Add the key' }).click();
    await newDevice.getByRole('article', { name: `Robin <${EMAIL}>` }).waitFor({ timeout: 60_000 });
    await newDevice.close();
    expect(await decrypts(d)).toEqual(plaintext);
  }, 180_000);

  it("a passphrase change changes the escrow's too (the old one stops working there); on a device whose copy was changed elsewhere, only that device changes", async () => {
    const [a, , c] = browsers;
    const fingerprintOf = async (ext: LaunchedExtension) =>
      ((await ok(ext, 'vault.list', {})) as { keys: { fingerprint: string }[] }).keys[0]!.fingerprint;
    const changed = CHANGED_PASSPHRASE;
    // C recovered last, so the copy opens with C's passphrase.
    expect(
      await ok(c!, 'vault.changePassphrase', {
        fingerprint: await fingerprintOf(c!),
        oldPassphrase: NEW_PASSPHRASE,
        newPassphrase: changed,
      }),
    ).toMatchObject({ escrow: 'updated' });
    const client = createEscrowClient({ fetch, baseUrl: keyserver.url, now: () => new Date() });
    const release = async () => {
      const before = mail.countTo(EMAIL);
      await client.requestCode(EMAIL, 'release');
      return codeIn(await mail.next(EMAIL, 15_000, before));
    };
    await expect(
      client.restoreWithPassphrase({ address: EMAIL, passphrase: NEW_PASSPHRASE, code: await release() }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const restored = await client.restoreWithPassphrase({
      address: EMAIL,
      passphrase: changed,
      code: await release(),
    });
    expect(restored.fingerprint).toBe(await fingerprintOf(c!));
    // A still has the first passphrase, which the copy no longer takes: A's own passphrase changes anyway.
    expect(
      await ok(a!, 'vault.changePassphrase', {
        fingerprint: await fingerprintOf(a!),
        oldPassphrase: PASSPHRASE,
        newPassphrase: 'silver otter paints thirty calm doors',
      }),
    ).toMatchObject({ escrow: 'differs' });
  }, 120_000);

  it('opting out later: C removes the recoverable copy, and the keyserver no longer releases the key', async () => {
    const c = browsers[2]!;
    const options = await c.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
    const recovery = options.getByRole('region', { name: 'Recovery' });
    await recovery.getByText('Remove the recoverable copy').click();
    await recovery.getByLabel('Passphrase of this key').fill(CHANGED_PASSPHRASE);
    await recovery.getByRole('button', { name: 'Remove the copy' }).click();
    await options
      .getByText('The recoverable copy was removed from the keyserver.')
      .waitFor({ timeout: 30_000 });
    await options
      .getByRole('region', { name: 'Recovery' })
      .getByText('Not set up.', { exact: false })
      .waitFor();
    await options.close();
    const client = createEscrowClient({ fetch, baseUrl: keyserver.url, now: () => new Date() });
    await expect(
      client.restoreWithPassphrase({ address: EMAIL, passphrase: CHANGED_PASSPHRASE }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('no key is escrowed') as unknown,
    });
  }, 120_000);

  it('had no errors in any profile', () => {
    for (const b of browsers) expect(b.errors()).toEqual([]);
  });
});
