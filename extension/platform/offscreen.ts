import { browser } from 'wxt/browser';

/**
 * Chromium's offscreen document: an extension page with no window, where work that must not run in the service
 * worker (Argon2 key stretching, whose WASM memory would stay reserved) happens. Firefox has no such API; its
 * background is an event page that can do the work itself.
 */
export function hasOffscreenDocuments(): boolean {
  return typeof (browser as { offscreen?: unknown }).offscreen === 'object';
}

const PATH = '/offscreen.html';

/** Whether Keyward's offscreen document is open (perhaps one a stopped service worker left). */
export async function offscreenDocumentIsOpen(): Promise<boolean> {
  const contexts = await browser.runtime.getContexts({
    contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [browser.runtime.getURL(PATH)],
  });
  return contexts.length > 0;
}

export async function openOffscreenDocument(justification: string): Promise<void> {
  if (await offscreenDocumentIsOpen()) return;
  await browser.offscreen.createDocument({
    url: PATH,
    reasons: [browser.offscreen.Reason.WORKERS],
    justification,
  });
}

export async function closeOffscreenDocument(): Promise<void> {
  await browser.offscreen.closeDocument().catch(() => undefined); // already closed
}
