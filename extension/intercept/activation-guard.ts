import { deepActiveElement, deepElementAt, fileInputActivatedBy } from './deep-target';

/**
 * Every trusted event a user's press, tap or key can start with. The browser grants the page "transient user
 * activation" when it dispatches the first of them (pointerdown for a mouse, pointerup or touchend for a touch,
 * keydown for a key, click for assistive technology), and Keyward's listener is the first code that runs in that
 * dispatch: it is registered on the window, capturing, before any page script exists.
 */
const GESTURE_EVENTS = [
  'pointerdown',
  'pointerup',
  'mousedown',
  'mouseup',
  'click',
  'auxclick',
  'dblclick',
  'contextmenu',
  'keydown',
  'keyup',
  'keypress',
  'touchstart',
  'touchend',
] as const;

/** How long the browser lets a gesture open a picker (Chromium's transient activation lasts 5 s). */
const GESTURE_LIFETIME_MS = 5000;

/** The user gestures Keyward has seen in this document: at most one file picker may be opened per gesture. */
export interface Gestures {
  /** True (once) when a gesture of the last few seconds has not opened a picker yet; it then has. */
  take(): boolean;
}

export interface ActivationGuardDeps {
  /**
   * The gesture activates a file input directly (a press on it or on its label, Enter or Space on it) and the
   * gesture's activation is still unspent: the callee may open a picker with it, synchronously. The gesture is
   * already taken for it.
   */
  readonly onDirectActivation: (input: HTMLInputElement) => void;
  readonly shadowRootOf: (element: Element) => ShadowRoot | null;
  readonly now: () => number;
}

/**
 * Takes every user gesture's activation away from the page. The browser opens a file picker (an input's, or
 * `showOpenFilePicker`/`showDirectoryPicker`/`showSaveFilePicker`) only while the page holds transient activation,
 * whatever realm, frame or element the call comes from; Keyward consumes it before any page code can use it, so
 * no page script ever opens the browser's picker. The pickers users get are the ones Keyward opens itself (see
 * ./picker-requests.ts): that is what makes interception independent of which functions a page calls, of
 * detached inputs and of fresh realms, rather than a race Keyward must win.
 *
 * Consuming is done the way the browser itself does it when a picker opens: `showPicker()` on an input (here a
 * detached text input, which shows nothing).
 */
export function guardUserActivation(win: Window, deps: ActivationGuardDeps) {
  let gesture: { at: number; spent: boolean } | undefined;

  const onGestureEvent = (event: Event) => {
    if (!event.isTrusted || !isActive(win)) return;
    gesture = { at: deps.now(), spent: false };
    const input = directlyActivated(win.document, event, deps.shadowRootOf);
    if (input && !input.disabled) {
      gesture.spent = true;
      deps.onDirectActivation(input);
    }
    consumeActivation(win.document);
  };

  const gestures: Gestures = {
    take() {
      if (!gesture || gesture.spent || deps.now() - gesture.at > GESTURE_LIFETIME_MS) return false;
      gesture.spent = true;
      return true;
    },
  };

  return {
    gestures,
    /** Adds the listeners (again, after a `document.open()` erased them: ./reopen-guard.ts). */
    arm(): () => void {
      for (const type of GESTURE_EVENTS) win.addEventListener(type, onGestureEvent, { capture: true });
      return () => {
        for (const type of GESTURE_EVENTS) win.removeEventListener(type, onGestureEvent, { capture: true });
      };
    },
  };
}

function isActive(win: Window): boolean {
  return win.navigator.userActivation?.isActive ?? false;
}

/** Spends the page's transient activation, if it holds any. */
export function consumeActivation(doc: Document): void {
  try {
    doc.createElement('input').showPicker();
  } catch {
    // No activation to spend (NotAllowedError), or a browser without showPicker.
  }
}

/** The file input this gesture event would open, if it is a press, tap, Enter or Space on one (or its label). */
function directlyActivated(
  doc: Document,
  event: Event,
  shadowRootOf: (element: Element) => ShadowRoot | null,
): HTMLInputElement | undefined {
  if (event instanceof KeyboardEvent) {
    if (event.type !== 'keydown' || (event.key !== 'Enter' && event.key !== ' ')) return undefined;
    return fileInputActivatedBy(deepActiveElement(doc, shadowRootOf));
  }
  const point = primaryPoint(event);
  if (!point) return undefined;
  return fileInputActivatedBy(deepElementAt(doc, point.x, point.y, shadowRootOf));
}

/** Where a primary-button press or a single touch happened. */
function primaryPoint(event: Event): { x: number; y: number } | undefined {
  if (typeof TouchEvent !== 'undefined' && event instanceof TouchEvent) {
    const touch = event.changedTouches[0];
    return touch && event.changedTouches.length === 1 ? { x: touch.clientX, y: touch.clientY } : undefined;
  }
  if (!(event instanceof MouseEvent) || event.button !== 0) return undefined;
  return { x: event.clientX, y: event.clientY };
}
