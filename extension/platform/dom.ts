import { browser } from 'wxt/browser';

interface ShadowAccess {
  openOrClosedShadowRoot?: (element: Element) => ShadowRoot | null;
}

/**
 * An element's shadow root, open or closed. Content scripts may see closed roots through chrome.dom (Chromium)
 * or Element.openOrClosedShadowRoot (Firefox); pages never can.
 */
export function shadowRootOf(element: Element): ShadowRoot | null {
  const dom = (browser as unknown as { dom?: ShadowAccess }).dom;
  if (dom?.openOrClosedShadowRoot) return dom.openOrClosedShadowRoot(element);
  const firefox = (element as Element & { openOrClosedShadowRoot?: ShadowRoot | null })
    .openOrClosedShadowRoot;
  return firefox ?? element.shadowRoot;
}
