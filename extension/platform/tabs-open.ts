import { browser } from 'wxt/browser';

/** Opens one of Keyward's own pages in a new tab next to the current one. */
export async function openExtensionTab(path: `/${string}`): Promise<void> {
  await browser.tabs.create({ url: browser.runtime.getURL(path as '/decrypt.html') });
}

/** Opens a web page in a new tab right after `tabId`, as the browser does for a link opened in a new tab. */
export async function openTabNextTo(tabId: number, url: string, active: boolean): Promise<void> {
  const tab = await browser.tabs.get(tabId);
  await browser.tabs.create({
    url,
    active,
    openerTabId: tabId,
    index: tab.index + 1,
    windowId: tab.windowId,
  });
}
