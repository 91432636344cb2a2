import { browser } from 'wxt/browser';

/** Calls `listener` whenever a frame inside a tab (not a tab's own page) starts to navigate. */
export function onChildFrameNavigating(listener: (tabId: number, parentFrameId: number) => void): void {
  browser.webNavigation.onBeforeNavigate.addListener(({ tabId, frameId, parentFrameId }) => {
    if (frameId !== 0 && parentFrameId >= 0) listener(tabId, parentFrameId);
  });
}

/** Sends a message to Keyward's content script in one frame of a tab; rejects if there is none. */
export function askFrame(tabId: number, frameId: number, message: unknown): Promise<unknown> {
  return browser.tabs.sendMessage(tabId, message, { frameId });
}
