import type { UploadReport, UploadRequest } from '../messaging/upload-port';
import { UPLOAD_PORT } from '../messaging/upload-port';
import { connectPort } from '../platform/ports';
import type { UploadSource } from './interception-deps';
import { showUploadToast } from './upload-toast';

/**
 * Asks the background to encrypt files for this site, showing progress and the outcome in the in-page notice.
 * Rejects on any failure (and when the background does not answer), so the interceptor uploads nothing.
 */
export function encryptInBackground(doc: Document) {
  return (files: readonly File[], _source: UploadSource): Promise<File[]> =>
    runInBackground(doc, { kind: 'encrypt', files }, () => [...files]);
}

/** The user closed Keyward's picker without choosing (strict mode): like cancelling the browser's picker. */
export class PickCancelled extends Error {}

/**
 * Strict mode: Keyward's own picker opens in a window of its own; resolves to the encrypted files the user chose
 * there (the page never held the originals), rejects with `PickCancelled` when they closed it.
 */
export function pickInBackground(doc: Document) {
  return (options: { multiple: boolean; accept: string }): Promise<File[]> =>
    runInBackground(doc, { kind: 'pick', ...options }, () => []);
}

/** How uploads work on this site; not strict when the background does not say (the usual interception still runs). */
export function siteModeFromBackground(): Promise<{ strict: boolean }> {
  return new Promise((resolve) => {
    const port = connectPort(UPLOAD_PORT);
    const done = (strict: boolean) => {
      port.disconnect();
      resolve({ strict });
    };
    port.onMessage((message) => {
      const report = message as UploadReport;
      done(report.kind === 'mode' && report.strict);
    });
    port.onDisconnect(() => resolve({ strict: false }));
    port.post({ kind: 'mode' } satisfies UploadRequest);
  });
}

/** How long to wait before asking a background that refused the connection once more (it may be restarting). */
const RECONNECT_AFTER_MS = 500;

function runInBackground(
  doc: Document,
  request: UploadRequest,
  passthrough: () => File[],
  attempt = 1,
): Promise<File[]> {
  return new Promise((resolve, reject) => {
    const port = connectPort(UPLOAD_PORT);
    let heard = false;
    let toast: ReturnType<typeof showUploadToast> | undefined;
    let settled = false;
    const finish = (outcome: () => void) => {
      settled = true;
      port.disconnect();
      outcome();
    };
    port.onMessage((message) => {
      heard = true;
      const report = message as UploadReport;
      switch (report.kind) {
        case 'progress':
          toast ??= showUploadToast(doc, '…');
          toast.progress(`Encrypting ${report.file}…`, report.done / Math.max(1, report.total));
          break;
        case 'done':
          toast?.remove();
          showUploadToast(doc, report.securityPhrase).done(
            `Encrypted ${report.files.map((f) => f.name).join(', ')} for: ${report.recipients.join(', ')}`,
          );
          finish(() => resolve([...report.files]));
          break;
        case 'passthrough':
          // This origin is not opted in (match patterns cannot tell ports apart): the page gets its files.
          finish(() => resolve(passthrough()));
          break;
        case 'cancelled':
          toast?.remove();
          finish(() => reject(new PickCancelled('The user closed Keyward’s picker.')));
          break;
        case 'mode':
          break; // only answers a mode request
        case 'failed':
          toast?.remove();
          showUploadToast(doc, report.securityPhrase).failed(report.message);
          finish(() => reject(new Error(report.message)));
          break;
      }
    });
    port.onDisconnect(() => {
      if (settled) return;
      // Never heard from at all: Chromium was (re)starting the service worker and refused the connection ("receiving
      // end does not exist"), or stopped it before it said anything. Nothing was handed over, so ask once more.
      if (!heard && attempt === 1) {
        setTimeout(() => {
          runInBackground(doc, request, passthrough, 2).then(resolve, reject);
        }, RECONNECT_AFTER_MS);
        return;
      }
      toast?.remove();
      showUploadToast(doc, '').failed('Keyward did not answer, so nothing was uploaded. Try again.');
      reject(new Error('background gone'));
    });
    port.post(request);
  });
}
