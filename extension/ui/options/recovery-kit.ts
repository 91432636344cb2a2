import { el, errorBox } from '../dom';
import { groupFingerprint } from '../format';
import { qrCode } from '../qr-code';

/**
 * The recovery kit, shown once in a dialog: the 12 words (numbered), the same as a QR code, the key's fingerprint
 * and how to use them; Print; then two of the words are asked back, so nobody closes it without having them.
 * Resolves once the user confirmed.
 */
export function mountRecoveryKit(options: {
  phrase: string;
  fingerprint: string;
  address: string;
}): Promise<void> {
  const words = options.phrase.split(' ');
  const dialog = el('dialog', { class: 'recovery-kit', 'aria-labelledby': 'kit-heading' });
  const kit = el(
    'div',
    { class: 'kit' },
    el('h2', { id: 'kit-heading' }, 'Your recovery code'),
    el(
      'p',
      {},
      'Write these 12 words on paper, or print this page, and keep it somewhere safe. With them and a code ' +
        `mailed to ${options.address}, you get your key back on a new device even if you forget your passphrase. ` +
        'Keyward shows them only now.',
    ),
    el(
      'ol',
      { class: 'kit-words', 'aria-label': 'Recovery code' },
      ...words.map((w) => el('li', {}, el('span', { class: 'kit-word' }, w))),
    ),
    el(
      'div',
      { class: 'kit-facts' },
      qrCode(options.phrase, 'The recovery code as a QR code', 160),
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, 'Address'),
        el('dd', {}, options.address),
        el('dt', {}, 'Key fingerprint'),
        el('dd', {}, el('code', { class: 'fingerprint' }, groupFingerprint(options.fingerprint))),
      ),
    ),
    el(
      'p',
      { class: 'muted' },
      'To use it: install Keyward, open its settings, choose “I already have a Keyward key”, then “Use my ' +
        'recovery code”. The words also open the copy with any OpenPGP program (RFC 9580) as the password of the ' +
        'file the keyserver keeps. Anyone with these words and access to your mail can get your key.',
    ),
  );
  const print = el('button', { class: 'button', type: 'button' }, 'Print');
  print.addEventListener('click', () => window.print());
  const next = el('button', { class: 'button primary', type: 'button' }, 'I have written them down');

  // Two different positions, asked back.
  const first = Math.floor(Math.random() * words.length);
  const second = (first + 1 + Math.floor(Math.random() * (words.length - 1))) % words.length;
  const [a, b] = [first, second].sort((x, y) => x - y) as [number, number];
  const inputA = el('input', { name: 'word-a', autocomplete: 'off', spellcheck: 'false', required: true });
  const inputB = el('input', { name: 'word-b', autocomplete: 'off', spellcheck: 'false', required: true });
  const error = errorBox();
  const confirm = el(
    'form',
    { class: 'form narrow', hidden: true },
    el('p', {}, 'To be sure you have them, type two of the words.'),
    el('label', {}, el('span', {}, `Word ${a + 1}`), inputA),
    el('label', {}, el('span', {}, `Word ${b + 1}`), inputB),
    error,
    el('div', { class: 'row' }, el('button', { class: 'button primary', type: 'submit' }, 'Confirm')),
  );
  const back = el('button', { class: 'button', type: 'button', hidden: true }, 'Show the words again');
  dialog.append(kit, el('div', { class: 'row no-print' }, print, next, back), confirm);
  document.body.append(dialog);
  // Escape must not close it before the words were confirmed.
  dialog.addEventListener('cancel', (event) => event.preventDefault());
  dialog.showModal();

  next.addEventListener('click', () => {
    kit.hidden = true;
    next.hidden = true;
    print.hidden = true;
    back.hidden = false;
    confirm.hidden = false;
    inputA.focus();
  });
  back.addEventListener('click', () => {
    kit.hidden = false;
    next.hidden = false;
    print.hidden = false;
    back.hidden = true;
    confirm.hidden = true;
  });
  return new Promise((resolve) => {
    confirm.addEventListener('submit', (event) => {
      event.preventDefault();
      const same = (input: HTMLInputElement, i: number) => input.value.trim().toLowerCase() === words[i];
      if (!same(inputA, a) || !same(inputB, b)) {
        error.textContent = 'That does not match. Check your copy, or show the words again.';
        error.hidden = false;
        return;
      }
      dialog.close();
      dialog.remove();
      resolve();
    });
  });
}
