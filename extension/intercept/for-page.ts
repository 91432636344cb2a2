// No browser.* here: the MAIN-world hook imports this module's users too, and has no extension API.
type CloneInto = (value: unknown, scope: object) => unknown;

/**
 * An object the page may read. Firefox keeps what a content script makes (or receives from the background) out of
 * the page's reach ("Permission denied to access property"); `cloneInto` copies it into the page's scope (for a
 * File, a new File over the same bytes, nothing read into memory). Chromium has no such wall and no cloneInto.
 */
export function forPage<T>(value: T): T {
  const cloneInto = (globalThis as { cloneInto?: CloneInto }).cloneInto;
  return cloneInto ? (cloneInto(value, window) as T) : value;
}
