import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import { autoLockText, keyTitle } from '../format';
import type { KeyCardDeps } from './key-card';

/** Unlocked: when it locks itself, and a Lock button. Locked: a passphrase field and Unlock. */
export function lockSection(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const fingerprint = key.fingerprint;
  const error = errorBox();
  if (key.unlocked) {
    const lock = el('button', { class: 'button', type: 'button' }, 'Lock');
    lock.addEventListener('click', () => {
      void busy(lock, error, async () => {
        await sendMessage('vault.lock', { fingerprint });
        await deps.refresh({
          focus: fingerprint,
          message: 'Key locked. Unlock it with your passphrase when you need it.',
        });
      });
    });
    return el(
      'section',
      { class: 'key-section', 'aria-label': `Lock: ${keyTitle(key)}` },
      el('div', { class: 'row' }, lock, el('span', { class: 'muted' }, autoLockText(key.autoLockAt))),
      error,
    );
  }
  const passphrase = el('input', {
    type: 'password',
    name: 'passphrase',
    autocomplete: 'current-password',
    required: true,
  });
  const form = el(
    'form',
    { class: 'inline-form' },
    el('label', {}, el('span', {}, 'Passphrase'), passphrase),
    el('button', { class: 'button primary', type: 'submit' }, 'Unlock'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      error,
      async () => {
        await sendMessage('vault.unlock', { fingerprint, passphrase: passphrase.value });
        await deps.refresh({ focus: fingerprint, message: 'Key unlocked.' });
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return el(
    'section',
    { class: 'key-section', 'aria-label': `Unlock: ${keyTitle(key)}` },
    el('p', { class: 'muted' }, 'Unlock this key to encrypt and decrypt files with it.'),
    form,
    error,
  );
}
