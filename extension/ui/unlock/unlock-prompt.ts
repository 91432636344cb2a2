import { sendMessage } from '../../messaging/send-message';
import { busy } from '../dom';
import { errorText } from '../error-text';
import { requiredElement } from '../required-element';

/** The unlock window: says which site is waiting, unlocks the default key, then closes itself. */
export function wireUnlockPrompt(hash: string): void {
  const site = decodeURIComponent(hash.slice(1)) || 'A site';
  const form = requiredElement('unlock-form', HTMLFormElement);
  const error = requiredElement('error', HTMLParagraphElement);
  const passphrase = form.elements.namedItem('passphrase') as HTMLInputElement;
  void sendMessage('status.get', {}).then((status) => {
    const who = status.defaultKey?.userIds[0] ?? 'your key';
    requiredElement('why', HTMLParagraphElement).textContent =
      `${site} is waiting to upload files. Keyward encrypts and signs them with ${who}, which is locked.`;
    requiredElement('unlock-label', HTMLSpanElement).textContent = `Passphrase of ${who}`;
  });
  void sendMessage('settings.get', {}).then(
    (s) => (requiredElement('security-phrase', HTMLSpanElement).textContent = `“${s.securityPhrase}”`),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      error,
      async () => {
        await sendMessage('vault.unlock', { passphrase: passphrase.value });
        window.close();
      },
      errorText,
    );
  });
}
