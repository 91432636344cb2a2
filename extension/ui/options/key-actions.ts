import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, doneLine, el, errorBox, markDone } from '../dom';
import { keyTitle } from '../format';
import { changePassphraseForm } from './change-passphrase-form';
import { gnupgExportForm } from './gnupg-export-form';
import type { KeyCardDeps } from './key-card';

/** Make default, exports, passphrase change and delete. */
export function keyActions(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const fingerprint = key.fingerprint;
  const error = errorBox();
  const done = doneLine();
  const button = (label: string, run: () => Promise<void>, kind = '') => {
    const b = el('button', { class: `button ${kind}`, type: 'button' }, label);
    b.addEventListener('click', () => {
      done.hidden = true;
      void busy(b, error, run);
    });
    return b;
  };
  const exported = (filename: string, what: string) =>
    markDone(done, `Saved ${filename} to your downloads. ${what}`);

  return el(
    'section',
    { class: 'key-section', 'aria-label': `Manage this key: ${keyTitle(key)}` },
    el(
      'div',
      { class: 'row' },
      !key.isDefault &&
        button('Make default', async () => {
          await sendMessage('vault.setDefault', { fingerprint });
          await deps.refresh({
            focus: fingerprint,
            message: 'This is now your default key: uploads are encrypted to it.',
          });
        }),
      button('Export public key', async () => {
        const { filename } = await sendMessage('vault.export', { fingerprint, part: 'public' });
        exported(filename, 'Share it with people who want to encrypt files to you.');
      }),
      button('Export private key', async () => {
        const { filename } = await sendMessage('vault.export', { fingerprint, part: 'private' });
        exported(
          filename,
          'It is locked with your passphrase. Keep it somewhere safe: it is your backup, for Keyward on ' +
            'another computer or newer OpenPGP software.',
        );
      }),
      el('span', { class: 'spacer' }),
      button(
        'Delete…',
        async () => {
          if (!(await deps.confirmDelete(key))) return;
          await sendMessage('vault.delete', { fingerprint });
          await deps.refresh({ message: `Deleted ${keyTitle(key)}.` });
        },
        'danger',
      ),
    ),
    done,
    error,
    changePassphraseForm(key, deps),
    gnupgExportForm(key),
  );
}
