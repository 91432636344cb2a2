import type { VaultKey } from '../../model';
import { el } from '../dom';
import { groupFingerprint, keyTitle } from '../format';

/** Deleting is for good, so the user types the key's address (or "delete") before the button works. */
export function confirmsDeletion(typed: string, key: Pick<VaultKey, 'emails'>): boolean {
  const answer = typed.trim().toLowerCase();
  return answer === 'delete' || key.emails.some((email) => email.toLowerCase() === answer);
}

/**
 * Wires the page's delete confirmation <dialog>: names the key, says what is lost, and enables "Delete key" only
 * once the confirmation is typed. Resolves true if the user confirmed; Escape and Cancel resolve false.
 */
export function mountDeleteDialog(dialog: HTMLDialogElement): (key: VaultKey) => Promise<boolean> {
  const form = dialog.querySelector('form')!;
  const input = form.elements.namedItem('confirm') as HTMLInputElement;
  const prompt = dialog.querySelector<HTMLElement>('.confirm-prompt')!;
  const confirm = form.querySelector<HTMLButtonElement>('button[value=delete]')!;
  let current: VaultKey | undefined;
  input.addEventListener(
    'input',
    () => (confirm.disabled = !current || !confirmsDeletion(input.value, current)),
  );
  // Cancel is a plain button, so "Delete key" is the form's only submit button: Enter in the field deletes only
  // once the confirmation is typed (a disabled default button blocks implicit submission).
  form.querySelector('button[value=cancel]')!.addEventListener('click', () => dialog.close('cancel'));

  return (key) =>
    new Promise((resolve) => {
      current = key;
      dialog
        .querySelector('.delete-who')!
        .replaceChildren(
          el('strong', {}, keyTitle(key)),
          el('br'),
          el('code', { class: 'fingerprint' }, groupFingerprint(key.fingerprint)),
        );
      const address = key.emails[0];
      prompt.replaceChildren(
        'To confirm, type ',
        ...(address ? [el('strong', {}, address), ' or '] : []),
        el('strong', {}, 'delete'),
      );
      input.value = '';
      confirm.disabled = true;
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true });
      dialog.showModal();
      input.focus();
    });
}
