import type { UploadReport } from '../messaging/upload-port';
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
    new Promise((resolve, reject) => {
      const port = connectPort(UPLOAD_PORT);
      let toast: ReturnType<typeof showUploadToast> | undefined;
      let settled = false;
      const finish = (outcome: () => void) => {
        settled = true;
        port.disconnect();
        outcome();
      };
      port.onMessage((message) => {
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
            finish(() => resolve([...files]));
            break;
          case 'failed':
            toast?.remove();
            showUploadToast(doc, report.securityPhrase).failed(report.message);
            finish(() => reject(new Error(report.message)));
            break;
        }
      });
      port.onDisconnect(() => {
        if (settled) return;
        toast?.remove();
        showUploadToast(doc, '').failed('Keyward did not answer, so nothing was uploaded. Try again.');
        reject(new Error('background gone'));
      });
      port.post({ files: [...files] });
    });
}
