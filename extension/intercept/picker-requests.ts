import type { Gestures } from './activation-guard';
import { deepTarget, fileInputOnPath, isFileInput } from './deep-target';
import { dataTransferOf } from './file-list';
import type { InterceptionDeps } from './interception-deps';
import { pickOptionsOf, type PickOptions } from './private-picker';

/** Dispatched by the MAIN-world hook on an input before `showPicker()` opens the browser's picker; cancelable. */
export const SHOW_PICKER_EVENT = 'keyward-show-picker';

export interface PickerRequestsDeps extends Pick<InterceptionDeps, 'own' | 'ciphertexts' | 'shadowRootOf'> {
  /** Whether the site is in strict mode (asked once when the content script starts). */
  readonly isStrict: () => boolean;
  readonly gestures: Gestures;
  /**
   * The browser's picker on an input only Keyward holds (./private-picker.ts), then encryption: resolves to the
   * encrypted files. Must open the picker synchronously (it spends the gesture's activation).
   */
  readonly pickInBrowser: (options: PickOptions) => Promise<File[]>;
  /** Keyward's own picker window (strict mode, and requests that come after the activation was spent). */
  readonly pickInKeyward: (options: PickOptions) => Promise<File[]>;
}

/**
 * Opens the pickers a user asks for, and only those; whichever picker it is, the page's input then receives only
 * the encrypted files (with `input` and `change`), so the page's JavaScript never holds an original `File`.
 *
 * - A press, tap, Enter or Space on a file input or its label (./activation-guard.ts sees it first): the browser's
 *   picker, opened by Keyward with the gesture's activation; in strict mode Keyward's picker window.
 * - A page opening an input's picker from script (`click()`, a synthetic click, `showPicker()`, a label's or a
 *   descendant's click) shortly after a user gesture: Keyward's picker window, since the gesture's activation is
 *   spent by then. One picker per gesture: a page cannot pile windows up.
 * - Anything else (no gesture, a second request in one gesture, a path Keyward cannot see): nothing opens. The
 *   browser's own picker never opens for the page, since the page never holds activation.
 */
export function pickerRequests(win: Window, deps: PickerRequestsDeps) {
  const picking = new WeakSet<HTMLInputElement>();
  let watchedRoots = new WeakSet<ShadowRoot>();

  function deliver(input: HTMLInputElement, encrypted: Promise<File[]>): void {
    picking.add(input);
    encrypted
      .then((files) => {
        for (const file of files) deps.ciphertexts.add(file);
        input.files = dataTransferOf(files).files;
        deps.own.dispatch(input, new Event('input', { bubbles: true, composed: true }));
        deps.own.dispatch(input, new Event('change', { bubbles: true }));
      })
      .catch(() => {
        // Cancelled, or failed (the notice says why): as with the browser's picker, the input keeps what it had
        // and hears `cancel`.
        deps.own.dispatch(input, new Event('cancel', { bubbles: false }));
      })
      .finally(() => picking.delete(input));
  }

  function onDirectActivation(input: HTMLInputElement): void {
    if (picking.has(input)) return;
    const options = pickOptionsOf(input);
    deliver(input, deps.isStrict() ? deps.pickInKeyward(options) : deps.pickInBrowser(options));
  }

  /** A click or `showPicker()` on a file input: never the browser's picker; Keyward's, once per gesture. */
  function onOpen(event: Event): void {
    if (deps.own.has(event)) return;
    const target = deepTarget(event, deps.shadowRootOf);
    const input =
      event.type === SHOW_PICKER_EVENT
        ? isFileInput(target)
          ? target
          : undefined
        : fileInputOnPath(event.composedPath());
    if (!input) {
      // Seen from here, a click inside a closed shadow root seems to hit its host. A listener added to that root
      // now still hears this same click on its way down, where the real target is visible.
      const root = target instanceof Element ? deps.shadowRootOf(target) : null;
      if (root) watch(root);
      return;
    }
    if (input.disabled) return;
    event.preventDefault();
    // A trusted click was the gesture itself: ./activation-guard.ts already opened the picker for it.
    if (event.isTrusted || picking.has(input) || !deps.gestures.take()) return;
    deliver(input, deps.pickInKeyward(pickOptionsOf(input)));
  }

  function watch(target: Window | ShadowRoot): void {
    if (target !== win) {
      if (watchedRoots.has(target as ShadowRoot)) return;
      watchedRoots.add(target as ShadowRoot);
    }
    target.addEventListener('click', onOpen, { capture: true });
    target.addEventListener(SHOW_PICKER_EVENT, onOpen, { capture: true });
  }

  return {
    onDirectActivation,
    /** Adds the listeners (again, after a `document.open()` erased them all: ./reopen-guard.ts). */
    arm(): () => void {
      watchedRoots = new WeakSet();
      watch(win);
      return () => {
        win.removeEventListener('click', onOpen, { capture: true });
        win.removeEventListener(SHOW_PICKER_EVENT, onOpen, { capture: true });
      };
    },
  };
}
