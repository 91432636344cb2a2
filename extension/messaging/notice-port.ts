/**
 * The port Keyward's in-page notice (notice.html, an extension page the content script frames inside the page)
 * opens to the background. The page can neither read that frame nor talk to this port, so the notice may carry
 * the security phrase and who a file was encrypted for.
 */
export const NOTICE_PORT = 'keyward-notice';

/** The notice frame introduces itself with the id from its URL. */
export interface NoticeRequest {
  readonly kind: 'hello';
  readonly id: string;
}

export type NoticeState = 'working' | 'done' | 'failed' | 'stopped';

export interface NoticeContent {
  readonly kind: 'notice';
  readonly state: NoticeState;
  readonly text: string;
  /** 0..1 while working. */
  readonly fraction?: number;
  readonly securityPhrase: string;
}
