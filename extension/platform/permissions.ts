import { browser } from 'wxt/browser';

/**
 * Host permissions for origins the user chooses (a keyserver on another host; later, opted-in sites). The
 * manifest only lists them as optional, so each one is asked for when the user picks it.
 */

/** `https://keys.example.org/base` -> the match pattern `https://keys.example.org/*` (ports are not part of it). */
export function originPattern(url: string): string {
  const { protocol, hostname } = new URL(url);
  return `${protocol}//${hostname}/*`;
}

/** Whether the extension may already reach `url`'s origin (granted, or listed in the manifest). */
export function hasOriginPermission(url: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [originPattern(url)] });
}

/**
 * Asks the user for `url`'s origin. Only an extension page may call this, and only while handling a click or key
 * press (browsers refuse permission requests without a user gesture). Resolves false when the user declines.
 */
export function requestOriginPermission(url: string): Promise<boolean> {
  return browser.permissions.request({ origins: [originPattern(url)] });
}
