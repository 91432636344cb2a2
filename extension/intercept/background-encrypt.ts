import { openChannel } from '../messaging/runtime-channels';
import {
  uploadChannel,
  type NoticeReason,
  type UploadRequest,
  type UploadSource,
} from '../messaging/upload-channel';
import { mountNoticeFrame, showPlainNotice, type InPageNotice } from './in-page-notice';
import { PickCancelled, type PickOptions } from './private-picker';

/** What the content script's requests to the background need from the page and the extension. */
export interface BackgroundDeps {
  readonly doc: Document;
  /** The address of Keyward's notice page for a notice id (notice.html#<id>). */
  readonly noticeUrl: (id: string) => string;
  /** Keyward's own frames, which its frame guard leaves alone. */
  readonly ownFrames: WeakSet<Element>;
}

/**
 * Asks the background to encrypt files for this site; the in-page notice shows progress and the outcome. Rejects
 * on any failure (and when the background does not answer), so the interceptor uploads nothing.
 */
export function encryptInBackground(deps: BackgroundDeps) {
  return (files: readonly File[], source: UploadSource): Promise<File[]> =>
    runInBackground(deps, { kind: 'encrypt', files: [...files], source });
}

/**
 * Keyward's own picker window; resolves to the encrypted files the user chose there (the page never held the
 * originals), rejects with `PickCancelled` when they closed it.
 */
export function pickInBackground(deps: BackgroundDeps) {
  return (options: PickOptions): Promise<File[]> => runInBackground(deps, { kind: 'pick', ...options });
}

/** Shows the user one of Keyward's notices about this page. */
export function noticeFromBackground(deps: BackgroundDeps) {
  return (reason: NoticeReason): void => {
    void runInBackground(deps, { kind: 'notice', reason }).catch(() => undefined);
  };
}

/** Asks the background to open a link in a new tab (./new-tab-links.ts says why Keyward does it). */
export function openLinkFromBackground(deps: BackgroundDeps) {
  return (url: string, active: boolean): void => {
    void runInBackground(deps, { kind: 'open-link', url, active }).catch(() => undefined);
  };
}

/**
 * How uploads work in this frame: `strict` (Keyward's picker window for every pick), `normal`, or `passthrough`
 * when neither this frame's site nor its tab's page is opted in (another port of an opted-in host: match patterns
 * cannot tell ports apart), and Keyward stands aside. Until the background says otherwise, the frame is guarded.
 */
export function siteModeFromBackground(): Promise<'strict' | 'normal' | 'passthrough'> {
  return new Promise((resolve) => {
    const port = openChannel(uploadChannel);
    const done = (mode: 'strict' | 'normal' | 'passthrough') => {
      port.disconnect();
      resolve(mode);
    };
    port.onMessage((report) => {
      if (report.kind === 'passthrough') done('passthrough');
      else if (report.kind === 'mode') done(report.strict ? 'strict' : 'normal');
    });
    port.onDisconnect(() => resolve('normal'));
    port.post({ kind: 'mode' });
  });
}

/** How long to wait before asking a background that refused the connection once more (it may be restarting). */
const RECONNECT_AFTER_MS = 500;

function runInBackground(deps: BackgroundDeps, request: UploadRequest, attempt = 1): Promise<File[]> {
  return new Promise((resolve, reject) => {
    const port = openChannel(uploadChannel);
    let heard = false;
    let notice: InPageNotice | undefined;
    let settled = false;
    const finish = (outcome: () => void) => {
      settled = true;
      port.disconnect();
      outcome();
    };
    port.onMessage((report) => {
      heard = true;
      switch (report.kind) {
        case 'notice':
          notice?.remove();
          notice = mountNoticeFrame(deps.doc, deps.noticeUrl(report.id), deps.ownFrames);
          if (request.kind === 'notice') {
            notice.settle(request.reason === 'frame-off' ? 'failed' : 'stopped');
            finish(() => resolve([]));
          }
          break;
        case 'progress':
          break; // the notice frame shows it
        case 'done':
          notice?.settle('done');
          finish(() => resolve([...report.files]));
          break;
        case 'passthrough':
          // Neither this frame's site nor its tab's page is opted in: nothing to do here.
          finish(() => reject(new Error('This site is not protected by Keyward.')));
          break;
        case 'cancelled':
          notice?.remove();
          finish(() => reject(new PickCancelled('The user closed Keyward’s picker.')));
          break;
        case 'mode':
          break; // only answers a mode request
        case 'opened':
          finish(() => resolve([]));
          break;
        case 'failed':
          notice?.settle('failed');
          finish(() => reject(new Error('Nothing was uploaded.')));
          break;
      }
    });
    port.onDisconnect(() => {
      if (settled) return;
      // Never heard from at all: Chromium was (re)starting the service worker and refused the connection ("receiving
      // end does not exist"), or stopped it before it said anything. Nothing was handed over, so ask once more.
      if (!heard && attempt === 1) {
        setTimeout(() => {
          runInBackground(deps, request, 2).then(resolve, reject);
        }, RECONNECT_AFTER_MS);
        return;
      }
      notice?.remove();
      showPlainNotice(deps.doc, 'Keyward did not answer, so nothing was uploaded. Try again.');
      reject(new Error('background gone'));
    });
    port.post(request);
  });
}
