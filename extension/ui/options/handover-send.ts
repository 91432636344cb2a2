import jsQR from 'jsqr';
import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';

/**
 * The old device's side of a hand-over, in a key card: the words the new device shows (typed, or read from a
 * screenshot or photo of its QR code), then Send.
 */
export function handoverSendForm(key: VaultKey): HTMLElement {
  const error = errorBox();
  const words = el('textarea', { name: 'words', rows: '2', spellcheck: 'false', autocomplete: 'off' });
  const picture = el('input', { type: 'file', accept: 'image/*' });
  const sent = el('p', { class: 'ok', role: 'status', hidden: true });
  const form = el(
    'form',
    { class: 'form narrow handover-send' },
    el('label', {}, el('span', {}, 'The 7 words the new device shows'), words),
    el('label', {}, el('span', {}, '…or a picture of its QR code'), picture),
    error,
    el('div', { class: 'row' }, el('button', { class: 'button primary', type: 'submit' }, 'Send the key')),
    sent,
  );
  picture.addEventListener('change', () => {
    const file = picture.files?.[0];
    if (!file) return;
    error.hidden = true;
    void readQr(file).then(
      (text) => (words.value = text),
      (e: unknown) => {
        error.textContent = e instanceof Error ? e.message : String(e);
        error.hidden = false;
      },
    );
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sent.hidden = true;
    void busy(form, error, async () => {
      await sendMessage('handover.send', { fingerprint: key.fingerprint, words: words.value });
      words.value = '';
      sent.textContent = 'Sent, encrypted for the new device. Finish there with the key’s passphrase.';
      sent.hidden = false;
    });
  });
  return el(
    'details',
    { class: 'more' },
    el('summary', {}, 'Hand over to a new device'),
    el(
      'p',
      { class: 'muted' },
      'On the new device, choose “I already have a Keyward key”, then “Hand it over from my other device”.',
    ),
    form,
  );
}

/** The text of the QR code in a picture (decoded here with jsQR; nothing leaves the page). */
async function readQr(file: File): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  const found = jsQR(data, width, height);
  if (!found) throw new Error('No QR code was found in this picture. Type the words instead.');
  return found.data;
}
