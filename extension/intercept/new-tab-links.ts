export interface NewTabLinksDeps {
  /** Asks the background to open an http(s) URL in a new tab next to this one. */
  readonly openTab: (url: string, active: boolean) => void;
  readonly shadowRootOf: (element: Element) => ShadowRoot | null;
}

/**
 * Links that open a new tab or window (`target="_blank"`, a named target, a middle click or Ctrl/⌘/Shift click).
 * The browser lets a page open a new browsing context only while it holds a gesture's activation, which Keyward
 * takes away from every page it protects (./activation-guard.ts); the browser would then block such a link as a
 * pop-up. Keyward opens the link itself instead, in a new tab, when the user's click was not handled by the page
 * (its listeners had their turn and did not cancel it). The page never gets a reference to that tab (as with
 * `rel="noopener"`, the default for `_blank` anyway).
 */
export function newTabLinks(win: Window, deps: NewTabLinksDeps) {
  const onClick = (event: Event) => {
    if (!event.isTrusted || event.defaultPrevented || !(event instanceof MouseEvent)) return;
    const link = linkOnPath(event.composedPath());
    if (!link || link.hasAttribute('download')) return;
    const middle = event.button === 1;
    if (event.button !== 0 && !middle) return;
    const background = middle || event.ctrlKey || event.metaKey;
    if (!background && !event.shiftKey && !opensElsewhere(link, win)) return;
    let url: URL;
    try {
      url = new URL(link.href);
    } catch {
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
    event.preventDefault();
    deps.openTab(url.href, !background);
  };
  return {
    /** Bubbling listeners on the window, added before any page script's: the page's own handlers run first. */
    arm(): () => void {
      win.addEventListener('click', onClick);
      win.addEventListener('auxclick', onClick);
      return () => {
        win.removeEventListener('click', onClick);
        win.removeEventListener('auxclick', onClick);
      };
    },
  };
}

function linkOnPath(path: readonly EventTarget[]): HTMLAnchorElement | HTMLAreaElement | undefined {
  for (const target of path) {
    if (!(target instanceof Element)) continue;
    if ((target.localName === 'a' || target.localName === 'area') && target.hasAttribute('href')) {
      return target as HTMLAnchorElement | HTMLAreaElement;
    }
  }
  return undefined;
}

/** Whether the link's target names a browsing context other than this one, its parent or the top. */
function opensElsewhere(link: HTMLAnchorElement | HTMLAreaElement, win: Window): boolean {
  const target = (
    link.target ||
    link.ownerDocument.querySelector('base[target]')?.getAttribute('target') ||
    ''
  )
    .trim()
    .toLowerCase();
  if (target === '' || target === '_self' || target === '_parent' || target === '_top') return false;
  if (target === '_blank') return true;
  // A named target: another frame of this page by that name is navigated in place; anything else is a new window.
  try {
    for (let i = 0; i < win.top!.length; i++) if (win.top!.frames[i]?.name === target) return false;
  } catch {
    // frames of another origin: their names cannot be read; a new tab is the safe reading
  }
  return win.name !== target;
}
