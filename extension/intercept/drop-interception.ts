import { dataTransferOf, filesOf } from './file-list';
import type { InterceptionDeps } from './interception-deps';

/**
 * Drag-and-drop: a drop carrying files is stopped in the capture phase before any page listener sees it; once the
 * files are encrypted a new `drop` with only the ciphertext is dispatched at the same element and position. Drops
 * without files (text, links) are left alone.
 */
export function interceptDrops(win: Window, deps: InterceptionDeps): () => void {
  const onDrop = (event: DragEvent) => {
    // Untrusted: the page's own event with the page's own files (./file-input-interception.ts says why they are
    // left alone).
    if (deps.own.has(event) || !event.isTrusted) return;
    const files = filesOf(event.dataTransfer?.files);
    if (files.length === 0 || files.every((file) => deps.ciphertexts.has(file))) return;
    // preventDefault too: otherwise the browser would open the plaintext file in the tab.
    event.preventDefault();
    event.stopImmediatePropagation();
    const target = event.composedPath()[0] ?? win;
    const init = pointerOf(event);
    deps
      .encrypt(files, 'drop')
      .then((encrypted) => {
        for (const file of encrypted) deps.ciphertexts.add(file);
        deps.own.dispatch(
          target,
          new DragEvent('drop', {
            ...init,
            bubbles: true,
            cancelable: true,
            composed: true,
            dataTransfer: dataTransferOf(encrypted),
          }),
        );
      })
      .catch(() => undefined); // encrypt() told the user; nothing reaches the page.
  };
  win.addEventListener('drop', onDrop, { capture: true });
  return () => win.removeEventListener('drop', onDrop, { capture: true });
}

function pointerOf(event: DragEvent): MouseEventInit {
  const { clientX, clientY, screenX, screenY, ctrlKey, shiftKey, altKey, metaKey } = event;
  return { clientX, clientY, screenX, screenY, ctrlKey, shiftKey, altKey, metaKey };
}
