import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el } from '../dom';
import { checkFields } from '../field-check';
import { mountNewPassphrase } from './new-passphrase';
import { mountRecoveryKit } from './recovery-kit';

/**
 * "I already have a Keyward key": the key back from the keyserver's escrow, with address + passphrase + a mailed
 * code, or (forgot the passphrase) recovery code + mailed code + a new passphrase, after which a new recovery code
 * is shown once.
 */
export function mountRestoreForms(
  panel: HTMLElement,
  onRestored: (key: VaultKey, message: string) => Promise<void>,
) {
  const restore = panel.querySelector<HTMLFormElement>('#restore-form')!;
  const recover = panel.querySelector<HTMLFormElement>('#recover-form')!;
  const input = (form: HTMLFormElement, name: string) =>
    form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;
  const errorOf = (form: HTMLFormElement) => form.querySelector<HTMLElement>('.error')!;

  const mountSendCode = (form: HTMLFormElement, purpose: 'release' | 'recover') => {
    const button = form.querySelector<HTMLButtonElement>('.send-code')!;
    const sent = form.querySelector<HTMLElement>('.code-sent')!;
    button.addEventListener('click', () => {
      void busy(button, errorOf(form), async () => {
        const email = input(form, 'email').value;
        await sendMessage('escrow.requestCode', { email, purpose });
        sent.textContent = `If a key is kept for ${email}, a code is on its way there (valid 15 minutes).`;
        sent.hidden = false;
        input(form, 'code').focus();
      });
    });
  };
  mountSendCode(restore, 'release');
  mountSendCode(recover, 'recover');

  restore.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = input(restore, 'code').value.trim();
    const ready = checkFields(
      restore,
      'escrow.restore',
      {
        email: input(restore, 'email').value,
        passphrase: input(restore, 'passphrase').value,
        ...(code ? { code } : {}),
      },
      {
        messages: {
          email: 'Enter the address your key is kept under, such as you@example.org.',
          passphrase: 'Enter the passphrase of your key.',
          code: 'Enter the 8-digit code from the mail (or leave it empty to be sent one).',
        },
      },
    );
    if (!ready) return;
    void busy(
      restore,
      errorOf(restore),
      async () => {
        const { key } = await sendMessage('escrow.restore', {
          email: input(restore, 'email').value,
          passphrase: input(restore, 'passphrase').value,
          ...(code ? { code } : {}),
        });
        restore.reset();
        await onRestored(key, 'Your key is back and unlocked. Files encrypted to it open here now.');
      },
      undefined,
      { focusOnError: input(restore, 'passphrase') as HTMLInputElement },
    );
  });

  const strengthBox = el('div', { class: 'strength' });
  (input(recover, 'newPassphrase').closest('label') ?? recover).after(strengthBox);
  const checkNew = mountNewPassphrase({
    passphrase: input(recover, 'newPassphrase') as HTMLInputElement,
    repeat: input(recover, 'repeat') as HTMLInputElement,
    strengthBox,
    userInputs: () => [input(recover, 'email').value],
  });
  recover.addEventListener('submit', (event) => {
    event.preventDefault();
    // What is missing is said first, at its field; the new passphrase's strength only once it is there.
    const ready = checkFields(
      recover,
      'escrow.recover',
      {
        email: input(recover, 'email').value,
        recoveryPhrase: input(recover, 'phrase').value,
        code: input(recover, 'code').value,
        newPassphrase: input(recover, 'newPassphrase').value,
      },
      {
        messages: {
          email: 'Enter the address your key is kept under, such as you@example.org.',
          recoveryPhrase: 'Enter your recovery code, as the recovery kit shows it.',
          code: 'Enter the 8-digit code from the mail.',
          newPassphrase: 'Choose a new passphrase.',
        },
        inputs: { recoveryPhrase: 'phrase' },
      },
    );
    if (!ready) return;
    void busy(recover, errorOf(recover), async () => {
      await checkNew();
      const email = input(recover, 'email').value;
      const { key, recoveryPhrase } = await sendMessage('escrow.recover', {
        email,
        recoveryPhrase: input(recover, 'phrase').value,
        code: input(recover, 'code').value,
        newPassphrase: input(recover, 'newPassphrase').value,
      });
      recover.reset();
      await mountRecoveryKit({
        phrase: recoveryPhrase,
        fingerprint: key.fingerprint,
        address: key.emails[0] ?? email,
      });
      await onRestored(key, 'Your key is back under your new passphrase, with a new recovery code.');
    });
  });
}
