import { browser } from 'wxt/browser';

/**
 * The URL of the tab the user is looking at, or undefined when the browser does not say (no permission for it, or
 * a browser page). The popup reads it through the activeTab permission granted when the user opens the popup.
 */
export async function activeTabUrl(): Promise<string | undefined> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.url;
}

/**
 * Ids of the tabs showing a page of `origin`, the active tab of the focused window first. Sees only tabs of sites
 * Keyward holds a host permission for (every opted-in site).
 */
export async function tabIdsOnOrigin(origin: string): Promise<number[]> {
  const tabs = await browser.tabs.query({ url: `${origin}/*` });
  const exact = tabs.filter(
    (t) => t.id !== undefined && t.url !== undefined && new URL(t.url).origin === origin,
  );
  exact.sort((a, b) => Number(b.active) - Number(a.active) || (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  return exact.map((t) => t.id!);
}

/** Sends a message to Keyward's content scripts in one tab (every frame) and resolves to the first answer. */
export function askTab(tabId: number, message: unknown): Promise<unknown> {
  return browser.tabs.sendMessage(tabId, message);
}

/**
 * Puts Keyward into the pages of `origin` that were open before it was opted in: Keyward's scripts must run before
 * the page's own, which only a new load of the page allows. The tab the user is looking at (in each window) is
 * reloaded; the others are discarded, so they load again, protected, when the user goes back to them (the browser
 * keeps their place in the tab strip and restores what it can of their state). Resolves to how many tabs were
 * treated.
 */
export async function reloadTabsOf(origin: string): Promise<number> {
  const tabs = await browser.tabs.query({ url: `${origin}/*` });
  const ours = tabs.filter(
    (t) => t.id !== undefined && t.url !== undefined && new URL(t.url).origin === origin,
  );
  await Promise.all(
    ours.map(async (tab) => {
      if (tab.active) await browser.tabs.reload(tab.id!);
      else if (!tab.discarded) await browser.tabs.discard(tab.id).catch(() => browser.tabs.reload(tab.id!));
    }),
  );
  return ours.length;
}
