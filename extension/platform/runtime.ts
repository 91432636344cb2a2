import { browser } from 'wxt/browser';

/**
 * Thin wrappers over `browser.runtime`. extension/platform/ is the only folder that touches `browser.*`, so the
 * rest of the extension depends on these plain functions and types, and unit tests run them on WXT's fake browser.
 */

/** What the browser tells a listener about who sent a runtime message (the fields Keyward checks). */
export interface RuntimeMessageSender {
  /** The sending extension's id; for our own pages and content scripts it equals `browser.runtime.id`. */
  readonly id?: string;
  /** The sending page or frame; for extension pages `chrome-extension://<id>/...` or `moz-extension://<uuid>/...`. */
  readonly url?: string;
  /**
   * The sending frame's origin (Chromium). Unlike `url` it is right for about:blank and about:srcdoc frames, which
   * inherit their parent's origin; "null" for opaque (sandboxed) frames.
   */
  readonly origin?: string;
  /** Set when the sender runs in a tab (content scripts, and extension pages opened in a tab). */
  readonly tab?: { readonly id?: number };
  readonly frameId?: number;
}

/** This extension's id and the base URL its own pages are served from (`chrome-extension://<id>/`). */
export interface ExtensionIdentity {
  readonly id: string;
  readonly baseUrl: string;
}

export function extensionIdentity(): ExtensionIdentity {
  return { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') };
}

/**
 * The address of one of Keyward's pages that web pages may frame (web_accessible_resources). In Chromium it is the
 * per-session dynamic address (`use_dynamic_url` in wxt.config.ts), so a page cannot find Keyward by its fixed id.
 */
export function framedPageUrl(path: '/notice.html'): string {
  return browser.runtime.getURL(path);
}

/** The `version` field of the built manifest (package.json's version). */
export function extensionVersion(): string {
  return browser.runtime.getManifest().version;
}

type MessageListener = Parameters<typeof browser.runtime.onMessage.addListener>[0];

/** Sends a message to the extension's other contexts (the background) and resolves to its reply. */
export function sendRuntimeMessage(message: unknown): Promise<unknown> {
  return browser.runtime.sendMessage<unknown, unknown>(message);
}

/** Opens (or focuses) the options page. */
export function openOptionsPage(): Promise<void> {
  return browser.runtime.openOptionsPage();
}

/**
 * Answers runtime messages with whatever `answer` resolves to; for a message that is not theirs `answer` returns
 * undefined, and then this context sends no reply at all (another frame or context may answer it). The promise is
 * the reply (webextension-polyfill, WXT's fake browser), so it must never reject: `answer` turns failures into a
 * reply itself. Returns a function that removes the listener. Used only through messaging/channel.ts.
 */
export function onRuntimeRequest(
  answer: (message: unknown, sender: RuntimeMessageSender) => Promise<unknown> | undefined,
): () => void {
  // The chrome-style types of `wxt/browser` say the listener returns void; at run time it is
  // webextension-polyfill (wxt.config.ts, modules), whose contract is "return a promise to reply" (and return
  // undefined to leave the message to another listener).
  const listener = ((message: unknown, sender: RuntimeMessageSender) =>
    answer(message, sender)) as MessageListener;
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}
