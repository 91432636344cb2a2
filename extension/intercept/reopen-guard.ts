export interface ReopenGuardDeps {
  /** Adds every window listener of Keyward's again (they must come before any the page adds). */
  readonly rearm: () => void;
  /** Tells the user why the page went blank. */
  readonly onStopped: () => void;
  readonly randomId: () => string;
  readonly onAnimationFrame: (callback: () => void) => void;
}

/**
 * `document.open()` (also `document.write()` after the page loaded) erases every event listener on the document,
 * its nodes and its window, in every world, Keyward's included; the page can then add its own first, and Keyward
 * would no longer be the first to see a gesture, a drop or a paste. A document that did this is not kept: Keyward
 * opens it once more itself, which erases the page's new listeners too, adds its own first again, and leaves a
 * short explanation where the page was. The check runs when the document's children change (which every
 * `document.open()` that shows anything does) and on every animation frame, before anything new is painted, so a
 * rewritten document never receives a user's event with the page's listeners ahead of Keyward's.
 *
 * Which listeners survive is told by a canary: a listener for an event type of a random name, which only Keyward
 * knows and dispatches.
 */
export function guardReopening(win: Window, deps: ReopenGuardDeps): { stop(): void } {
  const canary = `keyward-${deps.randomId()}`;
  let heard = false;
  const hear = () => {
    heard = true;
  };
  const plant = () => win.addEventListener(canary, hear);
  const listenersSurvived = () => {
    heard = false;
    win.dispatchEvent(new Event(canary));
    return heard;
  };

  let stopped = false;
  const check = () => {
    if (stopped || listenersSurvived()) return;
    stopPage(win.document);
    plant();
    deps.rearm();
    deps.onStopped();
  };

  plant();
  const observer = new MutationObserver(check);
  observer.observe(win.document, { childList: true });
  const everyFrame = () => {
    if (stopped) return;
    check();
    deps.onAnimationFrame(everyFrame);
  };
  deps.onAnimationFrame(everyFrame);
  return {
    /** Keyward stands aside in this frame (its site is not protected). */
    stop() {
      stopped = true;
      observer.disconnect();
    },
  };
}

/** Replaces the document with a plain explanation (in the page's reach: it carries nothing of the user's). */
function stopPage(doc: Document): void {
  doc.open();
  doc.close();
  doc.title = 'Stopped by Keyward';
  const text = doc.createElement('p');
  text.textContent =
    'Keyward stopped this page: it rewrote itself after it had loaded, so Keyward could no longer be sure to ' +
    'see your files first. Reload the page to use it again.';
  text.style.cssText = 'font: 16px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 40rem';
  (doc.body ?? doc.documentElement).append(text);
}
