/**
 * Keyward's notices inside a page: progress while a file is encrypted, who it was encrypted for, or why nothing was
 * uploaded, with the user's security phrase. The words live in an extension page (notice.html) that the content
 * script frames here: a page can read its own DOM (a closed shadow root included: `window.find()` searches it),
 * never a frame of another origin. The frame is `inert` and ignores the pointer: a page cannot make the user click
 * or type into it (a click in any frame gives the page a gesture Keyward would never see), and Keyward's frame
 * guard leaves it alone.
 *
 * What the page can read is only a short line for screen readers (the frame itself is out of their reach too,
 * being inert), with nothing of the user's in it.
 */
export interface InPageNotice {
  /** The notice's outcome: it then goes away by itself after a while. */
  settle(state: 'done' | 'failed' | 'stopped'): void;
  remove(): void;
}

const STYLE = `
:host { all: initial; }
iframe { position: fixed; z-index: 2147483647; right: 12px; bottom: 12px; width: min(380px, calc(100vw - 24px));
  height: 120px; border: 0; border-radius: 10px; box-shadow: 0 6px 24px rgb(0 0 0 / 35%); pointer-events: none;
  color-scheme: normal; background: #1f2328; }
.live { position: fixed; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

const SPOKEN: Record<'working' | 'done' | 'failed' | 'stopped', string> = {
  working: 'Keyward is encrypting your file.',
  done: 'Keyward encrypted your file. Keyward’s notice on the page says for whom.',
  failed: 'Keyward uploaded nothing. Keyward’s notice on the page says why.',
  stopped: 'Keyward stopped this page. Reload it to use it again.',
};

const LINGER_MS = { done: 8000, failed: 20000, stopped: 60000 } as const;

/** Frames the notice `frameUrl` (notice.html#<id>) in the page; `own` records the frame for the frame guard. */
export function mountNoticeFrame(doc: Document, frameUrl: string, own: WeakSet<Element>): InPageNotice {
  const { host, root } = noticeHost(doc);
  const frame = doc.createElement('iframe');
  frame.src = frameUrl;
  frame.inert = true;
  frame.tabIndex = -1;
  frame.title = 'Keyward';
  own.add(frame);
  const live = spokenLine(doc, 'working');
  root.append(frame, live.element);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const remove = () => {
    clearTimeout(timer);
    host.remove();
  };
  return {
    settle(state) {
      live.say(state);
      clearTimeout(timer);
      timer = setTimeout(remove, LINGER_MS[state]);
    },
    remove,
  };
}

/**
 * A notice without Keyward's frame, for when the background cannot be reached (so nothing can fill the frame). It
 * carries no security phrase: its text is public, and says only that nothing was uploaded.
 */
export function showPlainNotice(doc: Document, text: string): void {
  const { host, root } = noticeHost(doc);
  const box = doc.createElement('div');
  box.setAttribute('role', 'alert');
  box.textContent = `Keyward: ${text}`;
  box.style.cssText =
    'position: fixed; z-index: 2147483647; right: 12px; bottom: 12px; width: min(380px, calc(100vw - 24px));' +
    'box-sizing: border-box; padding: 12px 14px; border-radius: 10px; background: #1f2328; color: #ffb4a9;' +
    'font: 13px/1.45 system-ui, sans-serif; overflow-wrap: anywhere;';
  root.append(box);
  setTimeout(() => host.remove(), LINGER_MS.failed);
}

function noticeHost(doc: Document): { host: HTMLElement; root: ShadowRoot } {
  const host = doc.createElement('keyward-notice');
  const root = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = STYLE;
  root.append(style);
  doc.documentElement.append(host);
  return { host, root };
}

function spokenLine(doc: Document, state: keyof typeof SPOKEN) {
  const element = doc.createElement('div');
  element.className = 'live';
  element.setAttribute('role', 'status');
  element.textContent = SPOKEN[state];
  return {
    element,
    say(next: keyof typeof SPOKEN) {
      element.textContent = SPOKEN[next];
    },
  };
}
