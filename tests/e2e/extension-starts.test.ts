import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { repoRoot } from './harness/paths';
import { saveScreenshot } from './harness/screenshot';

const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

// Only inside serviceWorker.evaluate(): that code runs in the extension's worker, not in Node.
declare const chrome: { runtime: { getManifest(): { version: string } } };

let ext: LaunchedExtension;
beforeAll(async () => {
  ext = await launchExtension();
});
afterAll(() => ext?.close());

describe('the built extension in Chromium', () => {
  it('starts its background service worker', async () => {
    expect(ext.serviceWorker.url()).toBe(ext.extensionUrl('background.js'));
    expect(await ext.serviceWorker.evaluate(() => chrome.runtime.getManifest().version)).toBe(version);
  });

  it('shows the status from the background in the popup', async () => {
    const popup = await ext.openExtensionPage('popup.html', { viewport: { width: 300, height: 160 } });
    await expect(popup.title()).resolves.toBe('Keyward');
    await expect(popup.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Keyward');
    // "Checking…" is in the HTML; these words only appear once the background answered status.get.
    const status = popup.getByRole('status');
    await status.filter({ hasText: 'No key yet' }).waitFor();
    await expect(status.getAttribute('aria-busy')).resolves.toBeNull();
    await expect(popup.locator('#status-hint').textContent()).resolves.toMatch(/needs your key/);
    await expect(popup.getByRole('button', { name: 'Set up your key' }).isVisible()).resolves.toBe(true);
    await expect(popup.getByLabel('Passphrase', { exact: true }).isHidden()).resolves.toBe(true);
    await expect(popup.getByRole('alert').isHidden()).resolves.toBe(true);
    await saveScreenshot(popup, 'popup');
    expect(ext.errors()).toEqual([]);
  });

  it('opens the options page from the popup', async () => {
    const popup = await ext.openExtensionPage('popup.html');
    const button = popup.getByRole('button', { name: 'Set up your key' });
    const [options] = await Promise.all([ext.context.waitForEvent('page'), button.click()]);
    await options.waitForLoadState();
    expect(options.url()).toBe(ext.extensionUrl('options.html'));
    expect(ext.errors()).toEqual([]);
  });

  it('welcomes a new user in the options page, with the version from the background', async () => {
    const options = await ext.openExtensionPage('options.html', { viewport: { width: 900, height: 900 } });
    await expect(options.title()).resolves.toBe('Keyward settings');
    await options.getByRole('status').filter({ hasText: 'No key yet' }).waitFor();
    await expect(options.getByRole('heading', { level: 2 }).allTextContents()).resolves.toEqual([
      'Welcome to Keyward',
      'Set up your key',
      'Settings',
    ]);
    // Onboarding opens on "Create a new key"; the other path is one tab away.
    await expect(
      options.getByRole('tab', { name: 'Create a new key' }).getAttribute('aria-selected'),
    ).resolves.toBe('true');
    await expect(options.locator('#create-form').getByLabel('Email address').isVisible()).resolves.toBe(true);
    await options.getByRole('tab', { name: 'Import a key I already have' }).click();
    await expect(options.getByLabel('…or paste the key').isVisible()).resolves.toBe(true);
    await expect(options.locator('#create-form').getByLabel('Email address').isHidden()).resolves.toBe(true);
    await options.getByRole('tab', { name: 'Create a new key' }).click();
    // The settings show what the background stored, editable once loaded.
    await expect(options.getByLabel('Keyserver', { exact: true }).isEnabled()).resolves.toBe(true);
    await expect(options.getByLabel('Security phrase').inputValue()).resolves.not.toBe('');
    await expect(options.locator('#version').textContent()).resolves.toBe(version);
    await saveScreenshot(options, 'options');
    expect(ext.errors()).toEqual([]);
  });
});
