import type { Page } from 'playwright-core';
import type { LaunchedExtension } from './launch-extension';

/**
 * Keyward's toolbar popup as the toolbar button opens it for `page`'s tab: the popup page is opened as a background
 * tab of the same window, so the tab it reads as the active one is the site's (a real popup cannot be driven here).
 */
export async function popupFor(ext: LaunchedExtension, page: Page): Promise<Page> {
  await page.bringToFront();
  const [popup] = await Promise.all([
    ext.context.waitForEvent('page', { predicate: (p) => p.url().includes('/popup.html') }),
    ext.serviceWorker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
      await chrome.tabs.create({ url, active: false, windowId: tab!.windowId });
    }, ext.extensionUrl('popup.html')),
  ]);
  await popup.setViewportSize({ width: 360, height: 600 });
  await popup.waitForLoadState();
  return popup;
}

declare const chrome: {
  tabs: {
    query(filter: object): Promise<{ windowId: number }[]>;
    create(properties: object): Promise<unknown>;
  };
};
