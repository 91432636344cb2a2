import { dataTransferOf, filesOf } from './file-list';
import type { InterceptionDeps } from './interception-deps';

/**
 * Paste: a paste carrying files (a copied file or image) is stopped before page listeners; the encrypted files are
 * delivered in a new `paste` event at the same element. Text pastes are left alone.
 */
export function interceptPastes(win: Window, deps: InterceptionDeps): () => void {
  const onPaste = (event: ClipboardEvent) => {
    // Untrusted: the page's own event with the page's own files (./file-input-interception.ts says why they are
    // left alone).
    if (deps.own.has(event) || !event.isTrusted) return;
    const files = filesOf(event.clipboardData?.files);
    if (files.length === 0 || files.every((file) => deps.ciphertexts.has(file))) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const target = event.composedPath()[0] ?? win;
    deps
      .encrypt(files, 'paste')
      .then((encrypted) => {
        for (const file of encrypted) deps.ciphertexts.add(file);
        deps.own.dispatch(
          target,
          new ClipboardEvent('paste', {
            bubbles: true,
            cancelable: true,
            composed: true,
            clipboardData: dataTransferOf(encrypted),
          }),
        );
      })
      .catch(() => undefined);
  };
  win.addEventListener('paste', onPaste, { capture: true });
  return () => win.removeEventListener('paste', onPaste, { capture: true });
}
