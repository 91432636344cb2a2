import { SHOW_PICKER_EVENT } from './picker-requests';

/**
 * Runs in the page's own JavaScript world (MAIN) at document_start on opted-in sites, before any page script. It
 * never sees file bytes, and it is a convenience, not a defence: a page can always reach functions this hook never
 * wrapped (a frame's fresh realm, say). What keeps files from the page is in the isolated world: the page never
 * holds a gesture's activation, so the browser opens no picker for it (./activation-guard.ts). This hook only
 * makes honest upload widgets work with Keyward's pickers. Two jobs:
 *
 * 1. Detached file inputs (`document.createElement('input'); input.click()`, what most upload widgets do), or a
 *    detached label or element around one, fire their events outside the document, where Keyward's isolated-world
 *    listeners cannot hear them. Before such a click (or `showPicker()`) the detached tree is moved into a hidden
 *    holder inside the document, so Keyward hears it and opens its picker for that input.
 * 2. `showOpenFilePicker`/`showDirectoryPicker`/`showSaveFilePicker` (and a drop item's `getAsFileSystemHandle`)
 *    work without inputs; they are removed so pages fall back to inputs (they would fail anyway: they need the
 *    activation Keyward takes).
 *
 * The wrappers are installed non-writable and non-configurable, so page code running later cannot swap them out.
 */
export function installMainWorldHook(win: Window & typeof globalThis): void {
  const { HTMLElement, HTMLInputElement, EventTarget, Event, Node } = win;
  const PageEvent = Event;
  // Native getters captured now, before page code can redefine them. Called on elements of any same-origin frame:
  // a page can take an input from one frame and a click from another, so no `instanceof` (which is per frame).
  const inputType = getter(HTMLInputElement.prototype, 'type');
  const isConnected = getter(Node.prototype, 'isConnected');
  const ownerDocument = getter(Node.prototype, 'ownerDocument');
  const eventType = getter(Event.prototype, 'type');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always invoked with .call()
  const getRootNode = Node.prototype.getRootNode;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always invoked with .call()
  const querySelector = win.Element.prototype.querySelector;
  const holders = new WeakMap<Document, HTMLElement>();

  const shadowHost = getter(win.ShadowRoot.prototype, 'host');

  /**
   * The root of the detached tree `target` is in (through shadow roots, to their hosts' tree), when `target` is a
   * file input or that tree holds one.
   */
  const detachedTreeWithFileInput = (target: unknown): Element | undefined => {
    if (!brandCall(isConnected, target, false)) return undefined;
    let root: Node = getRootNode.call(target as Node);
    for (let depth = 0; depth < 32; depth++) {
      let host: unknown;
      try {
        host = shadowHost.call(root);
      } catch {
        break; // not a shadow root
      }
      root = getRootNode.call(host as Node);
    }
    if (brandCall(inputType, target, 'file') || brandCall(inputType, root, 'file')) return root as Element;
    try {
      return querySelector.call(root as Element, 'input[type=file i]') ? (root as Element) : undefined;
    } catch {
      return undefined; // not an element (a detached text node, a document fragment's own root)
    }
  };

  const adopt = (target: unknown) => {
    const tree = detachedTreeWithFileInput(target);
    if (!tree) return;
    const doc = ownerDocument.call(tree) as Document;
    let holder = holders.get(doc);
    if (!holder?.isConnected) {
      holder = doc.createElement('keyward-file-inputs');
      holder.hidden = true;
      (doc.body ?? doc.documentElement).append(holder);
      holders.set(doc, holder);
    }
    holder.append(tree);
  };

  // eslint-disable-next-line @typescript-eslint/unbound-method -- always invoked with .call(this)
  const click = HTMLElement.prototype.click;
  lock(HTMLElement.prototype, 'click', function (this: HTMLElement) {
    adopt(this);
    return click.call(this);
  });

  // eslint-disable-next-line @typescript-eslint/unbound-method -- always invoked with .call(this)
  const dispatchEvent = EventTarget.prototype.dispatchEvent;

  // showPicker() fires no click: the input first hears a cancelable SHOW_PICKER_EVENT, which Keyward's content
  // script cancels (its own picker opens instead, once per user gesture).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always invoked with .call(this)
  const showPicker = HTMLInputElement.prototype.showPicker as (() => void) | undefined;
  if (typeof showPicker === 'function') {
    lock(HTMLInputElement.prototype, 'showPicker', function (this: HTMLInputElement) {
      adopt(this);
      const opening = new PageEvent(SHOW_PICKER_EVENT, { bubbles: true, composed: true, cancelable: true });
      if (brandCall(inputType, this, 'file') && !dispatchEvent.call(this, opening)) return undefined;
      return showPicker.call(this);
    });
  }

  // A synthetic click event also activates a file input (directly, or through a label or an element inside it): the
  // same adoption applies.
  lock(EventTarget.prototype, 'dispatchEvent', function (this: EventTarget, event: Event) {
    if (brandCall(eventType, event, 'click')) adopt(this);
    return dispatchEvent.call(this, event);
  });

  // Deleted rather than set to undefined: feature checks like `'showOpenFilePicker' in window` then fall back.
  for (const name of ['showOpenFilePicker', 'showDirectoryPicker', 'showSaveFilePicker'] as const) {
    if (!Reflect.deleteProperty(win, name)) lock(win, name, undefined);
  }
  // A drop's items can hand out a handle to the original file; Keyward's re-created drops carry no handles.
  const itemPrototype: object | undefined = (win.DataTransferItem as typeof DataTransferItem | undefined)
    ?.prototype;
  if (itemPrototype && 'getAsFileSystemHandle' in itemPrototype) {
    Reflect.deleteProperty(itemPrototype, 'getAsFileSystemHandle');
  }
}

function lock(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: false, configurable: false, enumerable: false });
}

function getter(prototype: object, name: string): (this: unknown) => unknown {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- a native getter, always invoked with .call()
  const get = Object.getOwnPropertyDescriptor(prototype, name)?.get;
  if (!get) throw new Error(`Keyward: no native ${name} getter`);
  return get;
}

/** Whether a native getter, called on `target`, gives `expected`; false when `target` is not of its kind. */
function brandCall(get: (this: unknown) => unknown, target: unknown, expected: unknown): boolean {
  try {
    return get.call(target) === expected;
  } catch {
    return false;
  }
}
