import { DECRYPT_PORT, type DecryptReport } from '../../messaging/decrypt-port';
import { sendMessage } from '../../messaging/send-message';
import { connectPort } from '../../platform/ports';
import { errorText } from '../error-text';
import { requiredElement } from '../required-element';

/** The decrypt page: a file in, the background decrypts it, a Save link out (only for a fully verified result). */
export function wireDecryptPage(doc: Document): void {
  const input = requiredElement('file', HTMLInputElement);
  const status = requiredElement('status', HTMLParagraphElement);
  const error = requiredElement('error', HTMLParagraphElement);
  const result = requiredElement('result', HTMLParagraphElement);
  const save = requiredElement('save', HTMLAnchorElement);
  const unlockForm = requiredElement('unlock-form', HTMLFormElement);
  const passphrase = unlockForm.elements.namedItem('passphrase') as HTMLInputElement;
  let current: File | undefined;
  let locked: string | undefined;

  const show = (message: string, isError = false) => {
    status.textContent = isError ? '' : message;
    error.textContent = isError ? message : '';
    error.hidden = !isError;
  };

  function decrypt(file: File): void {
    current = file;
    result.hidden = true;
    unlockForm.hidden = true;
    if (save.href.startsWith('blob:')) URL.revokeObjectURL(save.href);
    show(`Decrypting ${file.name}…`);
    const port = connectPort(DECRYPT_PORT);
    port.onMessage((message) => {
      const report = message as DecryptReport;
      if (report.kind === 'progress') {
        show(`Decrypting ${file.name}… ${Math.round((100 * report.done) / Math.max(1, report.total))}%`);
        return;
      }
      port.disconnect();
      if (report.kind === 'locked') {
        locked = report.fingerprint;
        requiredElement('unlock-label', HTMLSpanElement).textContent = `Passphrase of ${report.userId}`;
        unlockForm.hidden = false;
        show(`${file.name} is encrypted to your key ${report.userId}, which is locked.`);
        passphrase.focus();
      } else if (report.kind === 'failed') {
        show(report.message, true);
      } else {
        save.href = URL.createObjectURL(report.file);
        save.download = report.file.name;
        save.textContent = `Save ${report.file.name}`;
        result.hidden = false;
        show(`Decrypted with ${report.decryptedWith}; the file is complete and unaltered.`);
      }
    });
    port.post({ file });
  }

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) decrypt(file);
  });
  doc.addEventListener('dragover', (event) => event.preventDefault());
  doc.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) decrypt(file);
  });
  unlockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sendMessage('vault.unlock', { fingerprint: locked, passphrase: passphrase.value })
      .then(() => {
        unlockForm.reset();
        if (current) decrypt(current);
      })
      .catch((e: unknown) => show(errorText(e), true));
  });
}
