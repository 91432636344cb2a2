import type { OwnEvents } from './own-events';

export type { UploadSource } from '../messaging/upload-channel';
import type { UploadSource } from '../messaging/upload-channel';

/** What the interceptors share: the page-independent parts, injected so they stay testable. */
export interface InterceptionDeps {
  readonly own: OwnEvents;
  /**
   * Encrypts the files for this site and tells the user (progress, "encrypted for", or why it failed). Rejects on
   * any failure; the interceptor then leaves the upload empty.
   */
  readonly encrypt: (files: readonly File[], source: UploadSource) => Promise<File[]>;
  /** Files Keyward produced: an input or event carrying only these is let through. */
  readonly ciphertexts: WeakSet<File>;
  /** The open or closed shadow root of an element (extension/platform/dom.ts), or null. */
  readonly shadowRootOf: (element: Element) => ShadowRoot | null;
}
