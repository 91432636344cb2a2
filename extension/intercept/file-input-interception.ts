import { filesOf, dataTransferOf } from './file-list';
import type { InterceptionDeps } from './interception-deps';

/**
 * File inputs that the browser itself filled: the pickers users get are Keyward's (./picker-requests.ts), which
 * hand the page's input only ciphertext, so this is the second line: any trusted `input`/`change` on an input
 * holding files Keyward did not make (a browser default action Keyward did not foresee, a file set by developer
 * tools). Keyward's capture listener on the window runs before any page listener, takes the files, empties the
 * input at once, and only puts the encrypted files back (re-dispatching `input` and `change`). When anything fails
 * the input stays empty (fail closed).
 *
 * Events the page dispatched itself (untrusted) carry files the page made: those are the page's own, and Keyward
 * leaves them alone. It never encrypts, signs or asks to unlock for them: that would make it an oracle the page can
 * drive without the user (a signature on the page's text, an unlock window, the user's key id in a ciphertext).
 */
export function interceptFileInputs(win: Window, deps: InterceptionDeps): () => void {
  const pending = new WeakSet<HTMLInputElement>();
  const watchedRoots = new WeakSet<ShadowRoot>();

  const onEvent = (event: Event) => {
    if (deps.own.has(event)) return;
    const target = event.composedPath()[0];
    // A page event on an input whose files are being encrypted (the `change` after our `input`) must not reach
    // page code either: it would see an empty input and might act on it.
    if (target instanceof HTMLInputElement && pending.has(target)) {
      event.stopImmediatePropagation();
      return;
    }
    if (!event.isTrusted) return;
    const inputs = inputsWithPlaintext(target, deps);
    if (inputs.length === 0) return;
    event.stopImmediatePropagation();
    for (const input of inputs) take(input);
  };

  function take(input: HTMLInputElement): void {
    const files = filesOf(input.files);
    // Emptied before anything else runs: page code reading input.files on a timer or in a later listener of this
    // same dispatch sees nothing.
    input.value = '';
    pending.add(input);
    watchRootOf(input);
    deps
      .encrypt(files, 'input')
      .then((encrypted) => {
        pending.delete(input);
        for (const file of encrypted) deps.ciphertexts.add(file);
        input.files = dataTransferOf(encrypted).files;
        deps.own.dispatch(input, new Event('input', { bubbles: true, composed: true }));
        deps.own.dispatch(input, new Event('change', { bubbles: true }));
      })
      .catch(() => {
        // encrypt() told the user why; the input stays empty.
        pending.delete(input);
      });
  }

  // `change` is not composed: from inside a shadow root it never reaches the window, so the root needs a listener
  // of its own to hold back the browser's `change` that follows the `input` Keyward took.
  function watchRootOf(input: HTMLInputElement): void {
    const root = input.getRootNode();
    if (!(root instanceof ShadowRoot) || watchedRoots.has(root)) return;
    watchedRoots.add(root);
    root.addEventListener('change', onEvent, { capture: true });
    root.addEventListener('input', onEvent, { capture: true });
  }

  win.addEventListener('input', onEvent, { capture: true });
  win.addEventListener('change', onEvent, { capture: true });
  return () => {
    win.removeEventListener('input', onEvent, { capture: true });
    win.removeEventListener('change', onEvent, { capture: true });
  };
}

/**
 * The file inputs an event concerns that hold files Keyward did not put there. Seen from the window, an input inside
 * a closed shadow root is hidden behind its host, so hosts are searched through their open or closed roots.
 */
function inputsWithPlaintext(target: EventTarget | undefined, deps: InterceptionDeps): HTMLInputElement[] {
  if (target instanceof HTMLInputElement) return hasPlaintext(target, deps) ? [target] : [];
  if (!(target instanceof Element)) return [];
  const found: HTMLInputElement[] = [];
  const search = (root: ShadowRoot) => {
    for (const input of root.querySelectorAll('input[type=file]')) {
      if (input instanceof HTMLInputElement && hasPlaintext(input, deps)) found.push(input);
    }
    for (const element of root.querySelectorAll('*')) {
      const inner = deps.shadowRootOf(element);
      if (inner) search(inner);
    }
  };
  const root = deps.shadowRootOf(target);
  if (root) search(root);
  return found;
}

function hasPlaintext(input: HTMLInputElement, deps: InterceptionDeps): boolean {
  if (input.type !== 'file') return false;
  const files = filesOf(input.files);
  return files.length > 0 && !files.every((file) => deps.ciphertexts.has(file));
}
