import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKey } from 'openpgp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { linkIn, startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import { askBackground } from './harness/ask-background';
import { pickFiles } from './harness/pick-files';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// The user's keys in the real extension: create in the options page, lock, unlock from the popup, publish to a
// real keyserver process (verification mail through a real SMTP server), fetch the key back by address.
const PASSPHRASE = 'amber otter carries seventeen lanterns';
const EMAIL = 'alice@example.org';

let dataDir: string;
let downloads: string;
let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let keyserver: Awaited<ReturnType<typeof startKeyserverProcess>>;
let sites: StaticServer;
let ext: LaunchedExtension;
let options: Page;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-ks-'));
  downloads = await mkdtemp(join(tmpdir(), 'keyward-e2e-dl-'));
  mail = await startMailCatcher();
  keyserver = await startKeyserverProcess({ DATA_DIR: dataDir, SMTP_URL: mail.url, MAIL_ENCRYPT: 'never' });
  sites = await startStaticServer();
  ext = await launchExtension({ downloadsDir: downloads });
  options = await ext.openExtensionPage('options.html', { viewport: { width: 1000, height: 1400 } });
});

afterAll(async () => {
  await ext?.close();
  await sites?.close();
  await keyserver?.stop();
  await mail?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(downloads, { recursive: true, force: true });
});

const card = () => options.getByRole('article', { name: `Alice Example <${EMAIL}>` });

describe('keys in the extension (Chromium)', () => {
  it('points the extension at the test keyserver in the settings', async () => {
    await options.getByLabel('Keyserver', { exact: true }).fill(keyserver.url);
    await options.getByRole('button', { name: 'Save settings' }).click();
    await options.getByText('Saved.').waitFor();
  });

  it('refuses a weak passphrase and creates a key with a strong one', async () => {
    await options.getByRole('heading', { name: 'Welcome to Keyward' }).waitFor();
    const form = options.locator('#create-form');
    await form.getByLabel('Your name').fill('Alice Example');
    await form.getByLabel('Email address').fill(EMAIL);
    await form.getByLabel('Passphrase', { exact: true }).fill('alice123');
    await form.getByLabel('Repeat the passphrase').fill('alice123');
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByRole('alert').filter({ hasText: 'too easy to guess' }).waitFor();

    await form.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await form.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Create key' }).click();
    await card().waitFor({ timeout: 30_000 });
    // Recovery is the default: the code is already mailed and the key's Recovery part waits for it.
    await card().getByLabel(`Code mailed to ${EMAIL}`).waitFor();
    await expect.poll(() => mail.countTo(EMAIL), { timeout: 10_000 }).toBe(1);
    await expect(card().getByText('Unlocked', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(card().getByText('Default', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(options.getByRole('heading', { name: 'Add another key' }).isVisible()).resolves.toBe(true);
    await saveScreenshot(options, 'options-with-key');
  });

  it('locks from the options page and unlocks from the popup; a wrong passphrase is refused', async () => {
    await card().getByRole('button', { name: 'Lock' }).click();
    await card().getByText('Locked', { exact: true }).waitFor();

    const popup = await ext.openExtensionPage('popup.html', { viewport: { width: 300, height: 420 } });
    await popup.getByRole('status').filter({ hasText: 'Locked' }).waitFor();
    await expect(popup.locator('#status-detail').textContent()).resolves.toContain(EMAIL);
    await saveScreenshot(popup, 'popup-locked');
    await popup.getByLabel('Passphrase', { exact: true }).fill('not my passphrase');
    await popup.getByRole('button', { name: 'Unlock' }).click();
    await popup.getByRole('alert').filter({ hasText: 'Wrong passphrase' }).waitFor({ timeout: 20_000 });
    await popup.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await popup.getByRole('button', { name: 'Unlock' }).click();
    await popup.getByRole('status').filter({ hasText: 'Unlocked' }).waitFor({ timeout: 20_000 });
    await expect(popup.locator('#auto-lock').textContent()).resolves.toMatch(/Locks automatically at/);
    await expect(popup.locator('#security-phrase').textContent()).resolves.toMatch(/^“.+”$/);
    await saveScreenshot(popup, 'popup-unlocked');
    await popup.close();
  });

  it('publishes the key, confirms the mailed link, and the keyserver serves it by address', async () => {
    await options.reload();
    await card().getByText('Not published', { exact: true }).waitFor();
    const mailsBefore = mail.countTo(EMAIL); // the recovery code mailed when the key was created came first
    await card().getByRole('button', { name: 'Publish to keyserver' }).click();
    await card().getByText(`Waiting for you to confirm the mail sent to ${EMAIL}`).waitFor();

    const link = linkIn(await mail.next(EMAIL, 10_000, mailsBefore), '/verify/');
    const confirm = await ext.context.newPage();
    await confirm.goto(link);
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await confirm.waitForLoadState();
    await confirm.close();

    // No "Refresh status" needed: the card asks the keyserver again by itself while an address waits.
    await options.bringToFront();
    await card().getByText('Published', { exact: true }).waitFor({ timeout: 20_000 });
    await saveScreenshot(options, 'options-published');

    const fingerprint = (await card().locator('.fingerprint').textContent())!.replaceAll(' ', '');
    const response = await fetch(`${keyserver.url}/vks/v1/by-email/${encodeURIComponent(EMAIL)}`);
    expect(response.status).toBe(200);
    const served = await readKey({ armoredKey: await response.text() });
    expect(served.getFingerprint().toUpperCase()).toBe(fingerprint);
    expect(served.isPrivate()).toBe(false);
  });

  it('exports the public key as a file download', async () => {
    await card().getByRole('button', { name: 'Export public key' }).click();
    const file = join(downloads, `keyward-${EMAIL}-public.asc`);
    await expect
      .poll(async () => (await readdir(downloads)).includes(`keyward-${EMAIL}-public.asc`))
      .toBe(true);
    const exported = await readKey({ armoredKey: await readFile(file, 'utf8') });
    expect(exported.isPrivate()).toBe(false);
  });

  it('refuses a content script that asks the background for private key material', async () => {
    const page = await ext.context.newPage();
    await page.goto(sites.url('/plain-form.html'));
    // Run code as an isolated-world content script of Keyward in that page: its messages carry the page's URL.
    const replies = await ext.serviceWorker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      const [result] = await chrome.scripting.executeScript({
        target: { tabId: tab!.id! },
        func: async () => {
          const ask = (type: string, payload: unknown) => chrome.runtime.sendMessage({ type, payload });
          return Promise.all([
            ask('vault.list', {}),
            ask('vault.export', { fingerprint: 'A'.repeat(40), part: 'private' }),
            ask('vault.unlock', { passphrase: 'guess' }),
          ]);
        },
      });
      return result!.result as unknown[];
    }, sites.url('/plain-form.html'));
    expect(replies).toHaveLength(3);
    for (const reply of replies) {
      expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // And the page itself cannot reach the extension at all (no externally_connectable).
    await expect(
      page.evaluate(
        () =>
          typeof (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome?.runtime
            ?.sendMessage,
      ),
    ).resolves.toBe('undefined');
    await page.close();
  });

  it('the keyserver down: refreshing says so clearly, and uploads still work (they need no keyserver)', async () => {
    await keyserver.stop();
    await card().getByRole('button', { name: 'Refresh status' }).click();
    await options.getByText(`The keyserver at ${keyserver.url} did not answer`).first().waitFor();
    // The addresses keep their last known state; nothing was forgotten because the server was away.
    await card().getByText('Published', { exact: true }).waitFor();

    expect(
      await askBackground(ext, 'sites.setEnabled', { origin: sites.origin, enabled: true }),
    ).toMatchObject({
      ok: true,
    });
    const page = await ext.context.newPage();
    await page.goto(sites.url('/upload/fetch-formdata.html'));
    const before = sites.uploads.length;
    await pickFiles(ext.context, page, () => page.click('#file'), {
      name: 'offline.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('x'),
    });
    const uploads = await sites.waitForUploads(before + 1, 20_000);
    expect(uploads.at(-1)!.body.toString('latin1')).toContain('filename="offline.txt.pgp"');
    await page.close();
  });

  it('had no errors in the extension or the sample pages', () => {
    // The keyserver's own pages are not under test here (the browser asks them for a favicon they do not have).
    expect(ext.errors().filter((e) => !e.includes(keyserver.url))).toEqual([]);
  });
});

// Only inside serviceWorker.evaluate() and executeScript: that code runs in the browser, not in Node.
declare const chrome: {
  tabs: { query(q: { url: string }): Promise<{ id?: number }[]> };
  scripting: {
    executeScript(o: {
      target: { tabId: number };
      func: () => Promise<unknown>;
    }): Promise<{ result: unknown }[]>;
  };
  runtime: { sendMessage(m: unknown): Promise<unknown> };
};
