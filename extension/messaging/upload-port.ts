/**
 * The port a content script opens to have files encrypted for its site. A port rather than one message: one
 * request gets progress reports and then a result. Files cross by structured clone (Chromium 148+,
 * `message_serialization`), both ways.
 *
 * Nothing Keyward must keep from the page crosses to the content script: no security phrase, no recipient's name.
 * The text of the in-page notice goes from the background straight to the notice frame (./notice-port.ts).
 */
export const UPLOAD_PORT = 'keyward-upload';

/**
 * Where files came from: a picker Keyward opened (`pick`), a file input the browser filled itself (`input`), a drop,
 * a paste. All are the user's own actions; a paste is encrypted but not signed, since the clipboard may hold what
 * the page itself wrote there.
 */
export const UPLOAD_SOURCES = ['pick', 'input', 'drop', 'paste'] as const;
export type UploadSource = (typeof UPLOAD_SOURCES)[number];

/** Why the content script asks for a notice of its own. */
export const NOTICE_REASONS = ['stopped-rewrite', 'frame-off'] as const;
export type NoticeReason = (typeof NOTICE_REASONS)[number];

/** What a content script asks, once per port. */
export type UploadRequest =
  /** Encrypt these files, which the user handed to the page (a pick, drop or paste Keyward took). */
  | { readonly kind: 'encrypt'; readonly files: readonly File[]; readonly source: UploadSource }
  /** How uploads work on this site (asked once when the content script starts). */
  | { readonly kind: 'mode' }
  /** Keyward's own picker window instead of the browser's; the answer holds only ciphertext. */
  | {
      readonly kind: 'pick';
      readonly multiple: boolean;
      readonly accept: string;
      readonly directory: boolean;
    }
  /** Show the user a notice: the content script did something they must know about. */
  | { readonly kind: 'notice'; readonly reason: NoticeReason }
  /** The user clicked a link that opens a new tab, which the page itself no longer may (a gesture's activation). */
  | { readonly kind: 'open-link'; readonly url: string; readonly active: boolean };

export type UploadReport =
  /** Sent first: the notice frame (notice.html#id) to show in the page for this request. */
  | { readonly kind: 'notice'; readonly id: string }
  | { readonly kind: 'progress'; readonly fraction: number }
  | { readonly kind: 'done'; readonly files: readonly File[] }
  /** This frame's site is not opted in (match patterns cannot tell ports apart): Keyward stands aside. */
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'mode'; readonly strict: boolean }
  /** The user closed Keyward's picker without choosing. */
  | { readonly kind: 'cancelled' }
  /** Nothing was uploaded; the notice says why. */
  | { readonly kind: 'failed' }
  | { readonly kind: 'opened' };

/** The port Keyward's picker page (strict mode) opens to the background. */
export const PICKER_PORT = 'keyward-picker';

export type PickerRequest =
  /** The picker page introduces itself with the request id from its URL. */
  | { readonly kind: 'hello'; readonly id: string }
  | { readonly kind: 'files'; readonly files: readonly File[] }
  /** Sent while the user chooses: a message resets the service worker's idle timer, an open port does not. */
  | { readonly kind: 'ping' };

export type PickerReport =
  | {
      readonly kind: 'request';
      readonly site: string;
      readonly multiple: boolean;
      readonly accept: string;
      readonly directory: boolean;
      readonly recipients: readonly string[];
      readonly securityPhrase: string;
    }
  | { readonly kind: 'progress'; readonly file: string; readonly done: number; readonly total: number }
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly message: string };
