import type { VaultKey } from '../../messaging/protocol';
import { groupFingerprint } from '../format';

/** The delete confirmation: the user types "delete" before the button works. Resolves true if they confirmed. */
export function wireDeleteDialog(dialog: HTMLDialogElement): (key: VaultKey) => Promise<boolean> {
  const form = dialog.querySelector('form')!;
  const input = form.elements.namedItem('confirm') as HTMLInputElement;
  const confirm = form.querySelector<HTMLButtonElement>('button[value=delete]')!;
  input.addEventListener('input', () => (confirm.disabled = input.value.trim().toLowerCase() !== 'delete'));
  return (key) =>
    new Promise((resolve) => {
      dialog.querySelector('#delete-who')!.textContent =
        `${key.userIds[0] ?? ''} (${groupFingerprint(key.fingerprint)})`;
      input.value = '';
      confirm.disabled = true;
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true });
      dialog.showModal();
    });
}
