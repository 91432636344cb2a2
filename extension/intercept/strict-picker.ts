import { dataTransferOf } from './file-list';
import type { InterceptionDeps } from './interception-deps';

/** Dispatched by the MAIN-world hook on an input before `showPicker()` opens the browser's picker; cancelable. */
export const SHOW_PICKER_EVENT = 'keyward-show-picker';

export interface StrictPickerDeps extends Pick<InterceptionDeps, 'own' | 'ciphertexts' | 'shadowRootOf'> {
  /** Whether the site is in strict mode (asked once when the content script starts). */
  readonly isStrict: () => boolean;
  /** Whether the frame has a user gesture now: without one, the browser would not open a picker either. */
  readonly hasUserActivation: () => boolean;
  /** Opens Keyward's picker; resolves to the encrypted files, rejects when cancelled or failed (user told). */
  readonly pick: (options: { multiple: boolean; accept: string }) => Promise<File[]>;
}

/**
 * Strict mode: the browser's file picker never opens for the page. A click that would open it (on the input, its
 * label, a detached input's `click()`, a synthetic click, or `showPicker()`) is cancelled, and Keyward's own picker
 * opens instead; the input then receives only the encrypted files, with `input` and `change` as usual. The page's
 * JavaScript never holds the original `File`; that includes inputs inside open and closed shadow roots.
 */
export function interceptPickerOpening(win: Window, deps: StrictPickerDeps): () => void {
  const picking = new WeakSet<HTMLInputElement>();
  const watched = new WeakSet<EventTarget>();

  const watch = (target: Window | ShadowRoot) => {
    if (watched.has(target)) return;
    watched.add(target);
    target.addEventListener('click', onOpen, { capture: true });
    target.addEventListener(SHOW_PICKER_EVENT, onOpen, { capture: true });
  };

  function onOpen(event: Event): void {
    if (deps.own.has(event) || !deps.isStrict()) return;
    const target = event.composedPath()[0];
    if (!(target instanceof HTMLInputElement)) {
      // Seen from here, a click inside a (closed) shadow root seems to hit its host. A listener added to that
      // root now still hears this same click on its way down, where the real target is visible.
      const root = target instanceof Element ? deps.shadowRootOf(target) : null;
      if (root) watch(root);
      return;
    }
    const input = target;
    if (input.type !== 'file' || input.disabled) return;
    event.preventDefault();
    if (picking.has(input) || !deps.hasUserActivation()) return;
    picking.add(input);
    deps
      .pick({ multiple: input.multiple, accept: input.accept })
      .then((encrypted) => {
        for (const file of encrypted) deps.ciphertexts.add(file);
        input.files = dataTransferOf(encrypted).files;
        deps.own.dispatch(input, new Event('input', { bubbles: true, composed: true }));
        deps.own.dispatch(input, new Event('change', { bubbles: true }));
      })
      .catch(() => {
        // Cancelled, or failed (the notice in the page says why): as with the browser's picker, the input keeps
        // what it had and hears `cancel`.
        deps.own.dispatch(input, new Event('cancel', { bubbles: false }));
      })
      .finally(() => picking.delete(input));
  }

  watch(win);
  return () => {
    win.removeEventListener('click', onOpen, { capture: true });
    win.removeEventListener(SHOW_PICKER_EVENT, onOpen, { capture: true });
  };
}
