import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { localStorageArea } from '../platform/storage';
import { createSettingsStore, DEFAULT_SETTINGS } from './settings-store';

let reachable: Set<string>;
const store = () =>
  createSettingsStore({
    local: localStorageArea(),
    mayReach: (url) => Promise.resolve(reachable.has(new URL(url).hostname)),
  });

beforeEach(() => {
  fakeBrowser.reset();
  reachable = new Set(['127.0.0.1']);
});

describe('settings', () => {
  it('starts from the defaults with a random security phrase that then stays', async () => {
    const first = await store().get();
    expect(first).toMatchObject(DEFAULT_SETTINGS);
    expect(first.securityPhrase).toMatch(/^[a-z]+ [a-z]+ [a-z]+ \d\d$/);
    expect((await store().get()).securityPhrase).toBe(first.securityPhrase);
  });

  it('keeps an update made while the very first read is still storing the defaults', async () => {
    const settings = store();
    const [, updated] = await Promise.all([
      settings.get(),
      settings.update({ keyserverUrl: 'http://127.0.0.1:9999', autoLockMinutes: 5 }),
    ]);
    expect(updated.keyserverUrl).toBe('http://127.0.0.1:9999');
    expect(await store().get()).toMatchObject({ keyserverUrl: 'http://127.0.0.1:9999', autoLockMinutes: 5 });
  });

  it('refuses a keyserver the extension has no permission to reach, and keeps the old one', async () => {
    const settings = store();
    await expect(settings.update({ keyserverUrl: 'https://keys.example.org' })).rejects.toMatchObject({
      code: 'forbidden',
      message: /keys\.example\.org/,
    });
    expect((await settings.get()).keyserverUrl).toBe(DEFAULT_SETTINGS.keyserverUrl);
    reachable.add('keys.example.org');
    await expect(settings.update({ keyserverUrl: 'https://keys.example.org' })).resolves.toMatchObject({
      keyserverUrl: 'https://keys.example.org',
    });
  });

  it('reports damaged stored settings', async () => {
    await fakeBrowser.storage.local.set({ settings: { keyserverUrl: 5 } });
    await expect(store().get()).rejects.toMatchObject({ code: 'unavailable' });
  });
});
