import { sendMessage } from '../messaging/send-message';
import { busy } from './dom';

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
 * user can retype at once; the vault's throttle answers too many with a wait.
 */
export function mountUnlockForm(form: HTMLFormElement, options: UnlockFormOptions): HTMLInputElement {
  const passphrase = form.elements.namedItem('passphrase') as HTMLInputElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
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
        await options.unlocked();
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return passphrase;
}
