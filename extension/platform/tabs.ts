import { browser } from 'wxt/browser';

/**
 * The URL of the tab the user is looking at, or undefined when the browser does not say (no permission for it, or
 * a browser page). The popup reads it through the activeTab permission granted when the user opens the popup.
 */
export async function activeTabUrl(): Promise<string | undefined> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.url;
}
