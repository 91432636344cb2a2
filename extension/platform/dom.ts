import { browser } from 'wxt/browser';

interface ShadowAccess {
  openOrClosedShadowRoot?: (element: Element) => ShadowRoot | null;
}

/**
 * An element's shadow root, open or closed. Content scripts may see closed roots through chrome.dom (Chromium)
 * or Element.openOrClosedShadowRoot (Firefox); pages never can.
 */
export function shadowRootOf(element: Element): ShadowRoot | null {
  // Only HTML elements can host a shadow root (chrome.dom throws for an SVG or MathML element).
  if (element.namespaceURI !== 'http://www.w3.org/1999/xhtml') return null;
  const dom = (browser as unknown as { dom?: ShadowAccess }).dom;
  if (dom?.openOrClosedShadowRoot) {
    try {
      return dom.openOrClosedShadowRoot(element);
    } catch {
      return null; // not an element of this frame's document (one adopted from another frame)
    }
  }
  const firefox = (element as Element & { openOrClosedShadowRoot?: ShadowRoot | null })
    .openOrClosedShadowRoot;
  return firefox ?? element.shadowRoot;
}
