import { sendMessage } from '../messaging/send-message';
import { busy, el } from './dom';

export interface UnlockFormOptions {
  /** Where a wrong passphrase (or any other refusal) is shown. */
  readonly error: HTMLElement;
  /** The key to unlock; the default key when it says undefined. */
  readonly fingerprint?: () => string | undefined;
  /** After the key is unlocked (the form is reset first). */
  readonly unlocked: () => Promise<void> | void;
}

/**
 * The one "unlock your key" form of Keyward's pages (popup, unlock window, decrypt page): a `passphrase` field
 * and a submit button in the page's HTML. A wrong passphrase is shown in `error`, with the field selected so the
 * user can retype at once; the vault's throttle answers too many with a wait. The form gets a control to show
 * the passphrase as typed, and a line that says the passphrase is being checked (Argon2 takes a few seconds).
 */
export function mountUnlockForm(form: HTMLFormElement, options: UnlockFormOptions): HTMLInputElement {
  const passphrase = form.elements.namedItem('passphrase') as HTMLInputElement;
  const show = el('input', { type: 'checkbox' });
  show.addEventListener('change', () => (passphrase.type = show.checked ? 'text' : 'password'));
  (passphrase.closest('label') ?? passphrase).after(
    el('label', { class: 'check show-passphrase' }, show, el('span', {}, 'Show passphrase')),
  );
  const progress = el('p', { class: 'muted small', role: 'status' });
  form.append(progress);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    progress.textContent = 'Checking the passphrase… this takes a few seconds.';
    void busy(
      form,
      options.error,
      async () => {
        const fingerprint = options.fingerprint?.();
        await sendMessage('vault.unlock', {
          ...(fingerprint === undefined ? {} : { fingerprint }),
          passphrase: passphrase.value,
        });
        form.reset();
        passphrase.type = 'password';
        await options.unlocked();
      },
      undefined,
      { focusOnError: passphrase },
    ).finally(() => (progress.textContent = ''));
  });
  return passphrase;
}
