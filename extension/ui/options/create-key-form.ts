import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy } from '../dom';
import { mountNewPassphrase } from './new-passphrase';

/**
 * The "Create a new key" form: name, address, a passphrase typed twice and rated (name and address count against
 * it), the key type under "Advanced". Creating takes seconds (Argon2id), so the form says so while it works.
 */
export function mountCreateKeyForm(
  form: HTMLFormElement,
  onCreated: (key: VaultKey, escrow: { passphrase: string } | null) => Promise<void>,
): void {
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const errorBox = form.querySelector<HTMLElement>('.error')!;
  const progress = form.querySelector<HTMLElement>('.progress')!;
  const check = mountNewPassphrase({
    passphrase: field('passphrase'),
    repeat: field('repeat'),
    strengthBox: form.querySelector('.strength')!,
    userInputs: () => [field('name').value, field('email').value],
    watch: [field('name'), field('email')],
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, errorBox, async () => {
      await check();
      const version =
        form.querySelector<HTMLInputElement>('input[name=version]:checked')?.value === '6' ? 6 : 4;
      progress.hidden = false;
      const passphrase = field('passphrase').value;
      const escrow = field('escrow').checked;
      try {
        const { key } = await sendMessage('vault.create', {
          name: field('name').value.trim(),
          email: field('email').value.trim(),
          passphrase: field('passphrase').value,
          version,
        });
        form.reset();
        // Clears the strength meter and the match hint, which follow these fields' input events.
        for (const f of [field('passphrase'), field('repeat')]) f.dispatchEvent(new Event('input'));
        await onCreated(key, escrow ? { passphrase } : null);
      } finally {
        progress.hidden = true;
      }
    });
  });
}
