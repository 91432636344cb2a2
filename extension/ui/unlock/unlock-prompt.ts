import { sendMessage } from '../../messaging/send-message';
import { requiredElement } from '../required-element';
import { mountUnlockForm } from '../unlock-form';

/** The unlock window: says which site is waiting, unlocks the default key, then closes itself. */
export function mountUnlockPrompt(hash: string): void {
  const site = decodeURIComponent(hash.slice(1)) || 'A site';
  void sendMessage('status.get', {}).then((status) => {
    const who = status.defaultKey?.userIds[0] ?? 'your key';
    requiredElement('why', HTMLParagraphElement).textContent =
      `${site} is waiting to upload files. Keyward encrypts and signs them with ${who}, which is locked.`;
    requiredElement('unlock-label', HTMLSpanElement).textContent = `Passphrase of ${who}`;
  });
  void sendMessage('settings.get', {}).then(
    (s) => (requiredElement('security-phrase', HTMLSpanElement).textContent = `“${s.securityPhrase}”`),
  );
  mountUnlockForm(requiredElement('unlock-form', HTMLFormElement), {
    error: requiredElement('error', HTMLParagraphElement),
    unlocked: () => window.close(),
  });
  // Closing the window is the answer "no": the waiting upload sends nothing (Cancel, Escape, or the window's own X).
  requiredElement('cancel', HTMLButtonElement).addEventListener('click', () => window.close());
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') window.close();
  });
}
