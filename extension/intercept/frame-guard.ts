/**
 * The property Keyward's content script sets on its own (isolated-world) global once it guards a frame. Only
 * Keyward's content scripts share that world; a page's script cannot set or read it.
 */
const ARMED = '__keywardArmed';
/** A function the parent frame's content script offers: a child that just armed itself calls it. */
const CHILD_ARMED = '__keywardChildArmed';

type Guarded = Window & { [ARMED]?: true; [CHILD_ARMED]?: () => void };

/** Elements that hold another document the user could interact with. */
const FRAME_SELECTOR = 'iframe, frame, object, embed, fencedframe, portal';

export interface FrameGuardDeps {
  readonly shadowRootOf: (element: Element) => ShadowRoot | null;
  /** Keyward's own frames (its in-page notice), which it manages itself. */
  readonly isOwn: (element: Element) => boolean;
  readonly onAnimationFrame: (callback: () => void) => void;
  /** The user pressed on a frame Keyward made inert: they must be told why nothing happens there. */
  readonly onOffFramePressed: () => void;
  readonly now: () => number;
}

/** The user is told about switched-off frames at most this often (one press after another says nothing new). */
const TELL_AGAIN_AFTER_MS = 15_000;

/**
 * Frames inside a protected page: a user must never interact with a document where Keyward's listeners may not be
 * the first. That is every frame that loaded a document: another site's or port's (no Keyward there, or one this
 * frame cannot verify), and the site's own too. A same-origin page can reach a frame's new document as soon as the
 * browser commits it, which is before Keyward's script runs there (at the document's first element), and add its
 * own listeners first. It is also the blank document a frame holds while its page loads, which a page can fill and
 * keep by stopping the load. A click there would give the page a gesture Keyward never sees, a drop there a file.
 * Such frames are made `inert` (no clicks, focus, keys or drops reach them or their documents), and a press on one
 * shows the user Keyward's notice saying why nothing happens there. The one kind left usable would be a frame still
 * on the blank document it was created with, where Keyward's script ran before this document saw the frame; it
 * loses that as soon as it is asked to load anything. Chromium runs Keyward's script in a frame the page built
 * only after the page's script could reach it, so there, in practice, every frame is off.
 *
 * Frames are found as they are added (a mutation observer on the document and on every shadow root Keyward has
 * seen), and when the background sees a child frame of this document start to load (the net for a frame added in a
 * shadow root attached after its host was in the page, which no observer sees, nor `window.frames`): the whole
 * document is then searched, closed shadow roots included. Known frames are checked again on every animation frame
 * (a frame that navigated elsewhere loses its armed document). A page removing `inert` has it back at once.
 */
export function guardFrames(
  win: Window,
  deps: FrameGuardDeps,
): { childFrameNavigating(): void; arm(): () => void; stop(): void } {
  const known = new Set<Element>();
  const ours = new WeakSet<Element>(); // frames Keyward made inert (a page's own `inert` is left as it is)
  // The blank documents frames were created with, armed by Keyward as they were created (see above).
  const createdBlank = new WeakSet<Document>();
  const observedRoots = new WeakSet<Node>();

  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') {
        // Asked to load something: whatever it loads is a document the page may reach first.
        if (record.attributeName !== 'inert') forgetBlank(record.target as Element);
        check(record.target as Element);
      }
      for (const node of record.addedNodes) if (node instanceof Element) search(node, true);
    }
  });

  function forgetBlank(element: Element): void {
    const doc = documentOf(element);
    if (doc) createdBlank.delete(doc);
  }

  function observe(root: Document | ShadowRoot): void {
    if (observedRoots.has(root)) return;
    observedRoots.add(root);
    observer.observe(root, { childList: true, subtree: true });
  }

  /**
   * Every frame element in `start`'s subtree, shadow roots included. `justAdded`: the subtree was just put in the
   * page, so a frame's document now is the one it was created with.
   */
  function search(start: Element | Document | ShadowRoot, justAdded: boolean): void {
    const elements =
      start instanceof Element ? [start, ...start.querySelectorAll('*')] : start.querySelectorAll('*');
    for (const element of elements) {
      if (element.matches(FRAME_SELECTOR)) adopt(element, justAdded);
      const root = deps.shadowRootOf(element);
      if (root) {
        observe(root);
        search(root, justAdded);
      }
    }
  }

  function adopt(element: Element, justAdded: boolean): void {
    if (known.has(element) || deps.isOwn(element)) return;
    known.add(element);
    observer.observe(element, { attributes: true, attributeFilter: ['inert', 'src', 'srcdoc', 'data'] });
    const doc = documentOf(element);
    if (justAdded && doc && isArmed(element) && doc.URL === 'about:blank') createdBlank.add(doc);
    check(element);
  }

  function check(element: Element): void {
    if (!known.has(element)) return;
    const frame = element as HTMLElement;
    const doc = documentOf(element);
    if (doc !== undefined && createdBlank.has(doc) && isArmed(element)) {
      if (ours.has(element)) {
        ours.delete(element);
        frame.inert = false;
      }
    } else if (!frame.inert) {
      frame.inert = true;
      ours.add(element);
    }
  }

  function checkAll(): void {
    for (const element of known) {
      if (element.isConnected) check(element);
      else known.delete(element); // moved or dropped: found again wherever it is added
    }
  }

  (win as Guarded)[ARMED] = true;
  (win as Guarded)[CHILD_ARMED] = checkAll;
  observe(win.document);
  search(win.document, true);
  // A frame whose document just armed itself: let the user in at once rather than at the next animation frame.
  try {
    const parent = win.parent as Guarded;
    if (parent !== (win as Guarded)) parent[CHILD_ARMED]?.();
  } catch {
    // A parent of another origin: it cannot verify this frame, and keeps it inert.
  }
  let stopped = false;
  const everyFrame = () => {
    if (stopped) return;
    checkAll();
    deps.onAnimationFrame(everyFrame);
  };
  deps.onAnimationFrame(everyFrame);
  let toldAt = -Infinity;
  // A press on an inert frame reaches this document (at the frame's nearest ancestor that is not inert).
  const onPointerDown = (event: PointerEvent) => {
    if (!event.isTrusted || deps.now() - toldAt < TELL_AGAIN_AFTER_MS) return;
    if (!offFrameAt(event.clientX, event.clientY)) return;
    toldAt = deps.now();
    deps.onOffFramePressed();
  };
  function offFrameAt(x: number, y: number): boolean {
    for (const element of known) {
      if (!ours.has(element) || !element.isConnected) continue;
      const box = element.getBoundingClientRect();
      if (x >= box.left && x < box.right && y >= box.top && y < box.bottom) return true;
    }
    return false;
  }
  return {
    /** Listens for the user's presses on frames Keyward switched off; returns the way to stop. */
    arm() {
      win.addEventListener('pointerdown', onPointerDown, true);
      return () => win.removeEventListener('pointerdown', onPointerDown, true);
    },
    /**
     * A child frame of this document started loading (the background saw its navigation): find it wherever it is,
     * closed shadow roots included. This is how a frame added inside a shadow root attached after its host was in
     * the page is found, which no mutation observer of Keyward's sees.
     */
    childFrameNavigating(): void {
      if (stopped) return; // Keyward stands aside in this frame: its frames are the page's business
      search(win.document, false);
      // Which frame is loading is not told: none of them counts as blank from now on.
      for (const element of known) forgetBlank(element);
      checkAll();
    },
    /** Keyward stands aside in this frame (its site is not protected): frames it made inert are let go. */
    stop() {
      stopped = true;
      observer.disconnect();
      for (const element of known) if (ours.has(element)) (element as HTMLElement).inert = false;
      known.clear();
    },
  };
}

function contentWindowOf(element: Element): unknown {
  return (element as HTMLIFrameElement).contentWindow ?? undefined;
}

/** The frame's document, if this frame may read it (same origin). */
function documentOf(element: Element): Document | undefined {
  try {
    return (element as HTMLIFrameElement).contentDocument ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether the frame's current document runs Keyward (readable only for frames of this frame's origin). */
function isArmed(element: Element): boolean {
  try {
    return (contentWindowOf(element) as Guarded | undefined)?.[ARMED] === true;
  } catch {
    return false; // another origin
  }
}
