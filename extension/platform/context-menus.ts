import { browser } from 'wxt/browser';

/**
 * A context-menu entry on links. Menus persist in Chromium, so it is (re)created on install and update only;
 * the click listener is added at every start so the event can wake the background.
 */
export function linkMenu(id: string, title: string, onClick: (linkUrl: string) => void): void {
  browser.runtime.onInstalled.addListener(() => {
    void browser.contextMenus
      .removeAll()
      .then(() => browser.contextMenus.create({ id, title, contexts: ['link'] }));
  });
  browser.contextMenus.onClicked.addListener((info) => {
    if (info.menuItemId === id && info.linkUrl) onClick(info.linkUrl);
  });
}
