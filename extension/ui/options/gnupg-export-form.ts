import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, doneLine, el, errorBox, markDone } from '../dom';

/**
 * "Export for GnuPG". Keyward locks keys with Argon2id, which GnuPG 2.2 and 2.4 cannot read, so the background
 * re-locks a copy with the older protection GnuPG knows; that needs the passphrase.
 */
export function gnupgExportForm(key: VaultKey): HTMLDetailsElement {
  const summary = el('summary', {}, 'Export for GnuPG');
  if (key.version !== 4) {
    return el(
      'details',
      { class: 'disclosure' },
      summary,
      el(
        'p',
        { class: 'muted' },
        'GnuPG cannot use version 6 keys. Export the private key for newer OpenPGP software instead.',
      ),
    );
  }
  const passphrase = el('input', { type: 'password', autocomplete: 'current-password', required: true });
  const error = errorBox();
  const done = doneLine();
  const form = el(
    'form',
    { class: 'form narrow' },
    el(
      'p',
      { class: 'muted' },
      'GnuPG cannot read the protection Keyward puts on your key (Argon2). Keyward makes a copy locked the ' +
        'older way GnuPG understands, with the same passphrase. Enter it to make that copy. GnuPG 2.2 and 2.4 ' +
        'then open files made for GnuPG: uploads on sites set to “Files GnuPG can open”, and files from people ' +
        'who use GnuPG. They cannot open Keyward’s other files (SEIPDv2, the newer format): open those in Keyward.',
    ),
    el('label', {}, el('span', {}, 'Your passphrase'), passphrase),
    error,
    el('div', { class: 'row' }, el('button', { class: 'button', type: 'submit' }, 'Save for GnuPG')),
    done,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    done.hidden = true;
    void busy(
      form,
      error,
      async () => {
        const { filename } = await sendMessage('vault.export', {
          fingerprint: key.fingerprint,
          part: 'private-gnupg',
          passphrase: passphrase.value,
        });
        form.reset();
        markDone(done, `Saved ${filename} to your downloads. Import it with: gpg --import ${filename}`);
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return el('details', { class: 'disclosure' }, summary, form);
}
