import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy } from '../dom';
import { errorText } from '../error-text';
import { qrCode } from '../qr-code';

const POLL_MS = 2000;

/**
 * The new device's side of a hand-over: show the 7 words and a QR code of them, wait for the other device, then
 * ask the key's passphrase and add it.
 */
export function mountHandoverReceive(
  panel: HTMLElement,
  onAdded: (key: VaultKey, message: string) => Promise<void>,
) {
  const start = panel.querySelector<HTMLButtonElement>('#handover-start')!;
  const codeBox = panel.querySelector<HTMLElement>('#handover-code')!;
  const words = codeBox.querySelector<HTMLElement>('.handover-words')!;
  const qr = codeBox.querySelector<HTMLElement>('.handover-qr')!;
  const status = codeBox.querySelector<HTMLElement>('.handover-status')!;
  const finish = panel.querySelector<HTMLFormElement>('#handover-finish')!;
  const error = panel.querySelector<HTMLElement>('#handover-error')!;
  const passphrase = finish.elements.namedItem('passphrase') as HTMLInputElement;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const poll = async () => {
    try {
      const { status: now } = await sendMessage('handover.check', {});
      if (now === 'received') {
        status.textContent = 'The key arrived. Enter its passphrase to add it here.';
        finish.hidden = false;
        passphrase.focus();
        return;
      }
      if (now === 'expired' || now === 'none') {
        status.textContent = 'This code expired. Show a new one.';
        return;
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    } catch (e) {
      error.textContent = errorText(e);
      error.hidden = false;
    }
  };

  start.addEventListener('click', () => {
    clearTimeout(timer);
    finish.hidden = true;
    void busy(start, error, async () => {
      const started = await sendMessage('handover.start', {});
      words.textContent = started.words;
      qr.replaceChildren(qrCode(started.words, 'The hand-over code as a QR code', 180));
      status.textContent = 'Waiting for your other device… (the code works once, for 10 minutes)';
      codeBox.hidden = false;
      timer = setTimeout(() => void poll(), POLL_MS);
    });
  });

  finish.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      finish,
      error,
      async () => {
        const { key } = await sendMessage('handover.finish', { passphrase: passphrase.value });
        finish.reset();
        finish.hidden = true;
        codeBox.hidden = true;
        await onAdded(key, 'The key from your other device is here and unlocked.');
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
}
