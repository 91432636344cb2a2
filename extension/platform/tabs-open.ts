import { browser } from 'wxt/browser';

/** Opens one of Keyward's own pages in a new tab next to the current one. */
export async function openExtensionTab(path: `/${string}`): Promise<void> {
  await browser.tabs.create({ url: browser.runtime.getURL(path as '/decrypt.html') });
}
