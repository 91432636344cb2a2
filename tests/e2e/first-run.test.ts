import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import {
  axeViolations,
  describeViolations,
  horizontalOverflow,
  REFLOW_VIEWPORTS,
} from './harness/accessibility';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { keywardNoticeText } from './harness/keyward-notice';
import { pickFiles } from './harness/pick-files';
import { popupFor } from './harness/popup';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// A new user's first minutes, through the UI only, from the install: Keyward opens its welcome, the user chooses the
// keyserver (a wrong address first), then creates a key. Every state is screenshotted (test-output/screenshots,
// first-run-*) and checked with axe-core and for reflow at 320 px and at 200% zoom.
const EMAIL = 'newcomer@example.org';
const PASSPHRASE = 'violet kettle under seven quiet harbours';
let dataDir: string;
let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let keyserver: Awaited<ReturnType<typeof startKeyserverProcess>>;
let ext: LaunchedExtension;
let welcome: Page;
let site: StaticServer;
let step = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-first-run-'));
  mail = await startMailCatcher();
  keyserver = await startKeyserverProcess({ DATA_DIR: dataDir, SMTP_URL: mail.url, MAIL_ENCRYPT: 'never' });
  site = await startStaticServer();
  ext = await launchExtension({ welcome: 'keep' });
  welcome = ext.welcomePage;
  await welcome.setViewportSize({ width: 1000, height: 900 });
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
  await keyserver?.stop();
  await mail?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Screenshot, axe-core and reflow for the page as it is now; the viewport is put back afterwards. */
async function checkState(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, `first-run-${String(++step).padStart(2, '0')}-${name}`);
  const violations = await axeViolations(page);
  expect(violations, describeViolations(violations)).toEqual([]);
  const viewport = page.viewportSize()!;
  for (const reflow of REFLOW_VIEWPORTS) {
    await page.setViewportSize({ width: reflow.width, height: reflow.height });
    expect(await horizontalOverflow(page), `${name} at ${reflow.name}`).toBe(0);
  }
  await page.setViewportSize(viewport);
}

describe('the first minutes (Chromium)', () => {
  it('opens the welcome on install, with the keyserver as the first step', async () => {
    expect(welcome.url()).toBe(ext.extensionUrl('options.html'));
    await welcome.getByRole('heading', { name: 'Welcome to Keyward' }).waitFor();
    await welcome.getByRole('group', { name: '1. Your keyserver' }).waitFor();
    await expect(welcome.getByLabel('Keyserver address').inputValue()).resolves.toBe('http://127.0.0.1:8080');
    await checkState(welcome, 'welcome');
  });

  it('says why an address where nothing answers cannot be the keyserver, at the field, and saves nothing', async () => {
    const field = welcome.getByLabel('Keyserver address');
    await field.fill('http://127.0.0.1:9');
    await welcome.getByRole('button', { name: 'Use this keyserver' }).click();
    const error = welcome.locator('#welcome-keyserver-error');
    await expect
      .poll(() => error.textContent(), { timeout: 20_000 })
      .toMatch(/^Nothing answered at 127\.0\.0\.1:9\./);
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(field.evaluate((input) => input === document.activeElement)).resolves.toBe(true);
    const settings = (await askBackground(ext, 'settings.get', {})) as { value: { keyserverUrl: string } };
    expect(settings.value.keyserverUrl).toBe('http://127.0.0.1:8080');
    await checkState(welcome, 'keyserver-unreachable');

    await field.fill('ftp://example.org');
    await welcome.getByRole('button', { name: 'Use this keyserver' }).click();
    await expect.poll(() => error.textContent()).toMatch(/keyserver’s address/);
  });

  it('uses the keyserver that answers, keeps it in the settings, and moves on to the key', async () => {
    const field = welcome.getByLabel('Keyserver address');
    await field.fill(keyserver.url);
    await welcome.getByRole('button', { name: 'Use this keyserver' }).click();
    await welcome
      .getByText(`Keyward uses the keyserver at ${new URL(keyserver.url).host}. Next: set up your key.`)
      .waitFor();
    await expect(field.getAttribute('aria-invalid')).resolves.toBe(null);
    // Focus goes to the next step; the settings further down show the same keyserver.
    await expect.poll(() => welcome.evaluate(() => document.activeElement?.id)).toBe('add-heading');
    await expect(welcome.getByLabel('Keyserver', { exact: true }).inputValue()).resolves.toBe(keyserver.url);
    const settings = (await askBackground(ext, 'settings.get', {})) as { value: { keyserverUrl: string } };
    expect(settings.value.keyserverUrl).toBe(keyserver.url);
    await checkState(welcome, 'keyserver-chosen');
  });

  it('creates the key with the keyboard only, and the welcome gives way to the key', async () => {
    const form = welcome.locator('#create-form');
    await form.getByLabel('Your name').focus();
    await welcome.keyboard.type('New Comer');
    await welcome.keyboard.press('Tab');
    await welcome.keyboard.type(EMAIL);
    await form.getByLabel('Passphrase', { exact: true }).focus();
    await welcome.keyboard.type(PASSPHRASE);
    await form.getByLabel('Repeat the passphrase').focus();
    await welcome.keyboard.type(PASSPHRASE);
    await checkState(welcome, 'create-form-filled');
    await form.getByRole('button', { name: 'Create key' }).focus();
    await welcome.keyboard.press('Enter');
    const card = welcome.getByRole('article', { name: `New Comer <${EMAIL}>` });
    await card.waitFor({ timeout: 60_000 });
    await expect(welcome.getByRole('heading', { name: 'Welcome to Keyward' }).isVisible()).resolves.toBe(
      false,
    );
    // The recoverable copy is set up with the keyserver chosen first: its code went to the address.
    await expect.poll(() => mail.countTo(EMAIL), { timeout: 15_000 }).toBe(1);
    await checkState(welcome, 'key-created');
  });

  it('opts a site in from the toolbar popup and uploads a file there: only ciphertext, and the notice passes axe-core', async () => {
    const page = await ext.context.newPage();
    await page.goto(site.url('/upload/fetch-formdata.html'));
    const popup = await popupFor(ext, page);
    const toggle = popup.locator('#site-toggle');
    await expect.poll(() => toggle.textContent()).toBe('Encrypt uploads on this site');
    await checkState(popup, 'popup-site-off');
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Stop encrypting uploads here');
    await checkState(popup, 'popup-site-on');
    await popup.close();

    // Opting in reloaded the site's page; the user picks a file in it.
    await page.waitForLoadState();
    const plaintext = Buffer.from(`first upload ${'f'.repeat(400)}\n`);
    await pickFiles(ext.context, page, () => page.click('#file'), {
      name: 'first.txt',
      mimeType: 'text/plain',
      buffer: plaintext,
    });
    const [upload] = await site.waitForUploads(1, 20_000);
    expect(upload!.body.includes(plaintext)).toBe(false);
    expect(upload!.body.includes('first.txt.pgp')).toBe(true);
    await expect
      .poll(() => keywardNoticeText(ext.context, page))
      .toContain('Encrypted first.txt.pgp for: you (New Comer');
    const notice = page.frames().find((frame) => frame.url().includes('/notice.html#'))!;
    const violations = await axeViolations(notice);
    expect(violations, describeViolations(violations)).toEqual([]);
    await saveScreenshot(page, `first-run-${String(++step).padStart(2, '0')}-uploaded`);
    await page.close();
  });

  it('a key made while the keyserver is down is ready, with a warning apart from the confirmation and no code asked for', async () => {
    await keyserver.stop();
    await welcome.getByRole('button', { name: 'Add a key…' }).click();
    const form = welcome.locator('#create-form');
    await form.getByLabel('Your name').fill('Second Key');
    await form.getByLabel('Email address').fill('second@example.org');
    await form.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await form.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Create key' }).click();
    const card = welcome.getByRole('article', { name: 'Second Key <second@example.org>' });
    await card.waitFor({ timeout: 60_000 });
    const confirmation = card.locator('p.ok[role=status]').filter({ hasText: 'Your key is ready' });
    await expect(confirmation.textContent()).resolves.toMatch(/^Your key is ready and unlocked\./);
    await expect(confirmation.textContent()).resolves.not.toMatch(/code|Recovery is not/);
    await expect(
      card.getByRole('alert').filter({ hasText: 'No recoverable copy' }).textContent(),
    ).resolves.toMatch(/^No recoverable copy yet, and no code was mailed: .*Try again under Recovery\.$/);
    // Recovery does not wait for a code that was never mailed.
    await expect(card.getByLabel('Code mailed to second@example.org').isVisible()).resolves.toBe(false);
    await checkState(welcome, 'key-created-keyserver-down');
  });
});
