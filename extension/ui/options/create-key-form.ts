import { sendMessage } from '../../messaging/send-message';
import { busy } from '../dom';
import { errorText } from '../error-text';
import { attachStrengthMeter, weakPassphraseText } from './strength-meter';

/** The "Create a new key" form: validates, checks the passphrase's strength, then asks the background. */
export function wireCreateKeyForm(form: HTMLFormElement, onCreated: () => Promise<void>): void {
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const errorBox = form.querySelector<HTMLElement>('.error')!;
  const progress = form.querySelector<HTMLElement>('.progress')!;
  const strength = attachStrengthMeter(field('passphrase'), form.querySelector('.strength')!, () => [
    field('name').value,
    field('email').value,
  ]);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      errorBox,
      async () => {
        if (field('passphrase').value !== field('repeat').value) {
          throw new Error('The two passphrases are not the same.');
        }
        const checked = await strength();
        if (!checked.acceptable) throw new Error(weakPassphraseText(checked));
        const version =
          (form.querySelector<HTMLInputElement>('input[name=version]:checked')?.value ?? '4') === '6' ? 6 : 4;
        progress.hidden = false;
        try {
          await sendMessage('vault.create', {
            name: field('name').value,
            email: field('email').value,
            passphrase: field('passphrase').value,
            version,
          });
        } finally {
          progress.hidden = true;
        }
        form.reset();
        await strength();
        await onCreated();
      },
      formErrorText,
    );
  });
}

/** Local validation errors are plain Errors written for people; background errors are KeywardErrors. */
export function formErrorText(error: unknown): string {
  return error instanceof Error && error.name === 'Error' ? error.message : errorText(error);
}
