import { openChannel } from '../../messaging/runtime-channels';
import { pickerChannel } from '../../messaging/picker-channel';
import { formatBytes } from '../format';
import { requiredElement } from '../required-element';

/**
 * Keyward's file picker (strict mode): the site asked for files; the user chooses them here, in an extension page,
 * so the site's scripts never hold the original `File`. The background encrypts them and hands the site only the
 * ciphertext. Closing this window cancels: the site gets nothing.
 */
export function mountPicker(doc: Document, win: Pick<Window, 'close'>): void {
  const why = requiredElement('why', HTMLParagraphElement);
  const form = requiredElement('pick-form', HTMLFormElement);
  const input = requiredElement('files', HTMLInputElement);
  const status = requiredElement('status', HTMLParagraphElement);
  const error = requiredElement('error', HTMLParagraphElement);
  const id = doc.location.hash.slice(1);
  const port = openChannel(pickerChannel);
  const fail = (message: string) => {
    form.hidden = true;
    status.textContent = '';
    error.textContent = message;
    error.hidden = false;
  };

  port.onMessage((report) => {
    switch (report.kind) {
      case 'request':
        requiredElement('security-phrase', HTMLSpanElement).textContent = report.securityPhrase;
        why.textContent =
          `${report.site} asks for ${report.directory ? "a folder's files" : report.multiple ? 'files' : 'a file'}. ` +
          'Keyward encrypts what you choose ' +
          `for ${report.recipients.join(', ') || 'your key'}; the site gets only the encrypted copy.`;
        input.multiple = report.multiple;
        input.accept = report.accept;
        input.webkitdirectory = report.directory;
        form.hidden = false;
        input.focus();
        break;
      case 'progress':
        status.textContent = `Encrypting ${report.file}… ${formatBytes(report.done)} of ${formatBytes(report.total)}`;
        break;
      case 'done':
        port.disconnect();
        win.close();
        break;
      case 'failed':
        fail(report.message);
        break;
    }
  });
  port.onDisconnect(() => fail('Keyward stopped; nothing was uploaded. Close this window and try again.'));

  // Files come only from the browser's chooser, from the user's own folders: a drag can carry files a web page made
  // (a page fills its drags as it likes), and those would be encrypted and signed here as the user's choice.
  doc.addEventListener(
    'dragover',
    (event) => event.preventDefault(), // lets the drop arrive here, where it is refused with a word
    true,
  );
  doc.addEventListener(
    'drop',
    (event) => {
      event.preventDefault();
      event.stopPropagation();
      status.textContent = 'Dropped files are not taken here: choose them with the file button instead.';
    },
    true,
  );
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    if (files.length === 0) return;
    form.hidden = true;
    status.textContent = `Encrypting ${files.map((f) => f.name).join(', ')}…`;
    port.post({ kind: 'files', files });
  });
  requiredElement('cancel', HTMLButtonElement).addEventListener('click', () => {
    port.disconnect(); // the background tells the site the pick was cancelled
    win.close();
  });
  port.post({ kind: 'hello', id });
  setInterval(() => port.post({ kind: 'ping' }), 20_000);
}
