import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import type { KeyCardDeps } from './key-card';
import { mountNewPassphrase } from './new-passphrase';

/** "Change passphrase": the current one, a new one typed twice and rated. A disclosure, closed by default. */
export function changePassphraseForm(key: VaultKey, deps: KeyCardDeps): HTMLDetailsElement {
  const password = (autocomplete: string) => el('input', { type: 'password', autocomplete, required: true });
  const current = password('current-password');
  const next = password('new-password');
  const repeat = password('new-password');
  const strengthBox = el('div', { class: 'strength' });
  const error = errorBox();
  const form = el(
    'form',
    { class: 'form narrow' },
    el('label', {}, el('span', {}, 'Current passphrase'), current),
    el('label', {}, el('span', {}, 'New passphrase'), next),
    strengthBox,
    el('label', {}, el('span', {}, 'Repeat the new passphrase'), repeat),
    error,
    el(
      'div',
      { class: 'row' },
      el('button', { class: 'button primary', type: 'submit' }, 'Change passphrase'),
    ),
  );
  const check = mountNewPassphrase({
    passphrase: next,
    repeat,
    strengthBox,
    userInputs: () => [...key.userIds],
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, error, async () => {
      await check();
      const { escrow } = await sendMessage('vault.changePassphrase', {
        fingerprint: key.fingerprint,
        oldPassphrase: current.value,
        newPassphrase: next.value,
      });
      const copy = {
        updated: ' The recoverable copy on the keyserver now opens with the new passphrase only.',
        differs:
          ' The recoverable copy on the keyserver keeps the passphrase set on another device (a recovery there).',
        'not-escrowed': '',
      }[escrow];
      await deps.refresh({
        focus: key.fingerprint,
        message: `Passphrase changed.${copy} Private-key exports you saved earlier still open with the old passphrase.`,
      });
    });
  });
  return el('details', { class: 'disclosure' }, el('summary', {}, 'Change passphrase'), form);
}
