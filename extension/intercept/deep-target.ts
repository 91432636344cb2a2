/**
 * What an event really hits, seen from Keyward's content script. From outside a closed shadow root an event seems
 * to hit the root's host; the content script can open closed roots (extension/platform/dom.ts), so it follows
 * the point (or the focus) down through them itself, at the moment the event starts, before any page listener runs.
 */
type ShadowRootOf = (element: Element) => ShadowRoot | null;

/** The innermost element at a point, through open and closed shadow roots. */
export function deepElementAt(
  doc: Document,
  x: number,
  y: number,
  shadowRootOf: ShadowRootOf,
): Element | null {
  let element = doc.elementFromPoint(x, y);
  for (let depth = 0; element && depth < 32; depth++) {
    const root = shadowRootOf(element);
    const inner = root?.elementFromPoint(x, y);
    if (!inner || inner === element) break;
    element = inner;
  }
  return element;
}

/** The focused element, through open and closed shadow roots. */
export function deepActiveElement(doc: Document, shadowRootOf: ShadowRootOf): Element | null {
  let element = doc.activeElement;
  for (let depth = 0; element && depth < 32; depth++) {
    const inner = shadowRootOf(element)?.activeElement;
    if (!inner) break;
    element = inner;
  }
  return element;
}

/** The event's target, through closed shadow roots (for events without a point: the path as far as it goes). */
export function deepTarget(event: Event, shadowRootOf: ShadowRootOf): EventTarget | undefined {
  const first = event.composedPath()[0];
  if (!(first instanceof Element) || !shadowRootOf(first) || !(event instanceof MouseEvent)) return first;
  return deepElementAt(first.ownerDocument, event.clientX, event.clientY, shadowRootOf) ?? first;
}

/** The file input a click on `element` activates: the input itself, or the control of the label it is in. */
export function fileInputActivatedBy(element: Element | null | undefined): HTMLInputElement | undefined {
  if (!element) return undefined;
  if (isFileInput(element)) return element;
  const control = element.closest('label')?.control;
  return isFileInput(control) ? control : undefined;
}

/** A file input found anywhere on an event's path (a click on an element someone appended inside an input). */
export function fileInputOnPath(path: readonly EventTarget[]): HTMLInputElement | undefined {
  for (const target of path) {
    if (!(target instanceof Element)) continue;
    const input = fileInputActivatedBy(target);
    if (input) return input;
  }
  return undefined;
}

/**
 * Whether a node is a file input. Not `instanceof`: an input made in, or adopted from, another frame of the page
 * is an instance of that frame's HTMLInputElement, and must be recognised all the same.
 */
export function isFileInput(value: unknown): value is HTMLInputElement {
  const node = value as Partial<HTMLInputElement> | null | undefined;
  return (
    typeof node === 'object' &&
    node !== null &&
    node.nodeType === 1 &&
    node.namespaceURI === 'http://www.w3.org/1999/xhtml' &&
    node.localName === 'input' &&
    node.type === 'file'
  );
}
