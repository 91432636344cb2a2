/**
 * The port a content script opens to have files encrypted for its site. A port rather than one message: one
 * request gets progress reports and then a result. Files cross by structured clone (Chromium 148+,
 * `message_serialization`), both ways.
 */
export const UPLOAD_PORT = 'keyward-upload';

/** What a content script asks, once per port. */
export type UploadRequest =
  /** Encrypt these files, which the page's own input, drop or paste handed over. */
  | { readonly kind: 'encrypt'; readonly files: readonly File[] }
  /** How uploads work on this site (asked once when the content script starts). */
  | { readonly kind: 'mode' }
  /** Strict mode: open Keyward's own picker instead of the page's; the answer holds only ciphertext. */
  | { readonly kind: 'pick'; readonly multiple: boolean; readonly accept: string };

export type UploadReport =
  | { readonly kind: 'progress'; readonly file: string; readonly done: number; readonly total: number }
  | {
      readonly kind: 'done';
      readonly files: readonly File[];
      readonly recipients: readonly string[];
      readonly securityPhrase: string;
    }
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'mode'; readonly strict: boolean }
  /** The user closed Keyward's picker without choosing. */
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly message: string; readonly securityPhrase: string };

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
      readonly recipients: readonly string[];
      readonly securityPhrase: string;
    }
  | { readonly kind: 'progress'; readonly file: string; readonly done: number; readonly total: number }
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly message: string };
