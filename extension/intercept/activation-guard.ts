import { deepActiveElement, deepElementAt, fileInputActivatedBy } from './deep-target';

/**
 * Event types with no `on…` handler property, which the list built from the window's handlers would miss. Text
 * committed by an input method (composition, on-screen keyboards, dictation) gives the page activation with only
 * these behind it.
 */
const UNLISTED_EVENTS = [
  'compositionstart',
  'compositionupdate',
  'compositionend',
  'textInput',
  'focusin',
  'focusout',
  'DOMActivate',
  'gotpointercapture',
  'lostpointercapture',
  'pointerrawupdate',
];

/**
 * Every event type the browser can dispatch in a document: the window's `on…` handlers (pointer, mouse, key, touch,
 * drag, clipboard, input, focus, selection…) and the few without one. The browser grants a page activation for a
 * press, a tap, a key, a drop or text from an input method, sometimes dispatching other events first (a finger's
 * `gotpointercapture` before `pointerup`, `pointermove` when a second button is pressed), and the activation then
 * lasts seconds: whatever event comes first, Keyward's listener is there first.
 */
function allEventTypes(win: Window): string[] {
  const types = new Set(UNLISTED_EVENTS);
  for (let object: object | null = win; object; object = Object.getPrototypeOf(object) as object | null) {
    for (const name of Object.getOwnPropertyNames(object))
      if (name.startsWith('on')) types.add(name.slice(2));
  }
  return [...types];
}

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
  /**
   * The gesture's activation could not be spent (the browser refused the way Keyward spends it: in a frame of
   * another origin than the top's, for one). The page may then hold it: the user must be told.
   */
  readonly onCannotSpend: () => void;
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

  const types = allEventTypes(win);
  const onGestureEvent = (event: Event) => {
    if (!event.isTrusted || !isActive(win)) return;
    gesture = { at: deps.now(), spent: false };
    const input = directlyActivated(win.document, event, deps.shadowRootOf);
    if (input && !input.disabled) {
      gesture.spent = true;
      deps.onDirectActivation(input);
    }
    consumeActivation(win.document);
    if (isActive(win)) deps.onCannotSpend();
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
      for (const type of types) win.addEventListener(type, onGestureEvent, { capture: true });
      return () => {
        for (const type of types) win.removeEventListener(type, onGestureEvent, { capture: true });
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

/**
 * The file input this gesture would open, if it is a press or tap of the primary button or a finger on one (or its
 * label), or Enter or Space on one: judged at the first event that carries the gesture's activation, whichever it
 * is (pointerdown for a mouse; for a finger, gotpointercapture or pointerup).
 */
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

/** Where a primary-button press or a single touch happened; nothing for other buttons, or events without a point. */
function primaryPoint(event: Event): { x: number; y: number } | undefined {
  if (typeof TouchEvent !== 'undefined' && event instanceof TouchEvent) {
    const touch = event.changedTouches[0];
    return touch && event.changedTouches.length === 1 ? { x: touch.clientX, y: touch.clientY } : undefined;
  }
  if (!(event instanceof MouseEvent)) return undefined;
  const pointerType = (event as Partial<PointerEvent>).pointerType;
  // A press of the primary button (button 0), or a pointer event without a button change whose primary button or
  // finger is down (button -1: a capture or a move). Right, middle and other buttons open nothing.
  const primary =
    event.button === 0 ||
    (event.button === -1 && ((event.buttons & 1) === 1 || pointerType === 'touch' || pointerType === 'pen'));
  return primary ? { x: event.clientX, y: event.clientY } : undefined;
}
