import { keyTitle } from '../format';
import type { VaultKey } from '../../model';
import { sendMessage } from '../../messaging/send-message';
import { busy, el, errorBox } from '../dom';
import type { KeyCardDeps } from './key-card';
import { handoverSendForm } from './handover-send';
import { mountRecoveryKit } from './recovery-kit';

/** Keys just created with "keep a recoverable copy" ticked: the code is mailed, the passphrase already typed. */
const pending = new Map<string, string>();

/**
 * Right after creating a key with recovery chosen (the default): mails the code at once, and the key's Recovery
 * section opens ready for it, so the user only enters the code (or leaves recovery for later).
 */
export async function mailRecoveryCode(key: VaultKey, passphrase: string): Promise<void> {
  const address = key.emails[0];
  if (!address) return;
  await sendMessage('escrow.requestCode', { email: address, purpose: 'register' });
  // Only once the keyserver took the request: the Recovery part then waits for the mailed code.
  pending.set(key.fingerprint, passphrase);
}

/**
 * Recovery for one key: whether a recoverable copy (escrow) is on the keyserver; if not, setting one up: the key's
 * passphrase, a code mailed to its address, then the recovery code shown once (recovery-kit.ts).
 */
export function recoverySection(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const address = key.emails[0];
  const section = el(
    'section',
    { class: 'key-section', 'aria-label': `Recovery: ${keyTitle(key)}` },
    el('h4', {}, 'Recovery'),
  );
  const status = el('p', { class: 'muted' }, 'Checking…');
  section.append(status, handoverSendForm(key));
  if (!address) {
    status.textContent = 'This key has no address, so it cannot be recovered through the keyserver.';
    return section;
  }
  void sendMessage('escrow.state', { fingerprint: key.fingerprint }).then(
    (state) => {
      if (state.escrowed) {
        status.textContent =
          `A passphrase-locked copy is kept on ${state.keyserverUrl} under ${state.address}: on a new device, ` +
          'choose “I already have a Keyward key”. Changing the passphrase here changes it there too.';
        status.dataset.escrowed = 'true';
        status.after(removeForm(key, deps));
        return;
      }
      status.textContent =
        'Not set up. If this device is lost, the key and every file encrypted to it are lost too. A recoverable ' +
        'copy on the keyserver is locked with your passphrase; the keyserver cannot open it.';
      status.after(setupForm(key, address, deps));
    },
    () => (status.textContent = 'Keyward could not tell whether this key is recoverable.'),
  );
  return section;
}

function setupForm(key: VaultKey, address: string, deps: KeyCardDeps): HTMLElement {
  const error = errorBox();
  const passphrase = el('input', { type: 'password', name: 'passphrase', autocomplete: 'current-password' });
  const code = el('input', {
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: '9',
  });
  const send = el('button', { class: 'button', type: 'button' }, 'Mail me a code');
  const create = el('button', { class: 'button primary', type: 'submit' }, 'Set up recovery');
  const sent = el('p', { class: 'ok', role: 'status', hidden: true });
  const codeRow = el('label', { hidden: true }, el('span', {}, `Code mailed to ${address}`), code);
  const form = el(
    'form',
    { class: 'form narrow recovery-form' },
    el('label', {}, el('span', {}, 'Passphrase of this key'), passphrase),
    el('div', { class: 'row' }, send),
    sent,
    codeRow,
    error,
    el('div', { class: 'row' }, create),
  );
  create.hidden = true;
  const typed = pending.get(key.fingerprint);
  if (typed !== undefined) {
    passphrase.value = typed;
    sent.textContent = `To finish setting up recovery, enter the code just mailed to ${address} (valid 15 minutes).`;
    sent.hidden = false;
    codeRow.hidden = false;
    create.hidden = false;
    setTimeout(() => code.focus());
  }
  send.addEventListener('click', () => {
    void busy(send, error, async () => {
      await sendMessage('escrow.requestCode', { email: address, purpose: 'register' });
      sent.textContent = `A code is on its way to ${address}. It is valid for 15 minutes.`;
      sent.hidden = false;
      codeRow.hidden = false;
      create.hidden = false;
      code.focus();
    });
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      error,
      async () => {
        const { recoveryPhrase } = await sendMessage('escrow.create', {
          fingerprint: key.fingerprint,
          passphrase: passphrase.value,
          code: code.value,
        });
        passphrase.value = '';
        pending.delete(key.fingerprint);
        await mountRecoveryKit({ phrase: recoveryPhrase, fingerprint: key.fingerprint, address });
        await deps.refresh({
          focus: key.fingerprint,
          message: 'Recovery is set up. Keep your recovery code safe.',
        });
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return form;
}

/** Opting out later: the key's passphrase, then the keyserver's copy is deleted. */
function removeForm(key: VaultKey, deps: KeyCardDeps): HTMLElement {
  const error = errorBox();
  const passphrase = el('input', { type: 'password', name: 'passphrase', autocomplete: 'current-password' });
  const form = el(
    'form',
    { class: 'form narrow' },
    el(
      'p',
      { class: 'muted' },
      'After this, a lost device loses the key unless you keep an exported copy yourself. Your recovery code stops ' +
        'working.',
    ),
    el('label', {}, el('span', {}, 'Passphrase of this key'), passphrase),
    error,
    el('div', { class: 'row' }, el('button', { class: 'button danger', type: 'submit' }, 'Remove the copy')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      form,
      error,
      async () => {
        await sendMessage('escrow.remove', { fingerprint: key.fingerprint, passphrase: passphrase.value });
        await deps.refresh({
          focus: key.fingerprint,
          message: 'The recoverable copy was removed from the keyserver.',
        });
      },
      undefined,
      { focusOnError: passphrase },
    );
  });
  return el('details', { class: 'more' }, el('summary', {}, 'Remove the recoverable copy'), form);
}
