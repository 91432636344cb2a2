/**
 * The port a content script opens to have files encrypted for its site. A port rather than one message: one
 * request gets progress reports and then a result. Files cross by structured clone (Chromium 148+,
 * `message_serialization`), both ways.
 */
export const UPLOAD_PORT = 'keyward-upload';

export interface EncryptRequest {
  readonly files: readonly File[];
}

export type UploadReport =
  | { readonly kind: 'progress'; readonly file: string; readonly done: number; readonly total: number }
  | {
      readonly kind: 'done';
      readonly files: readonly File[];
      readonly recipients: readonly string[];
      readonly securityPhrase: string;
    }
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'failed'; readonly message: string; readonly securityPhrase: string };
