import type { ImportCandidate } from '../../messaging/protocol';
import { sendMessage } from '../../messaging/send-message';
import { busy, el } from '../dom';
import { groupFingerprint } from '../format';
import { formErrorText } from './create-key-form';
import { attachStrengthMeter, weakPassphraseText } from './strength-meter';

export interface ImportElements {
  readonly file: HTMLInputElement;
  readonly text: HTMLTextAreaElement;
  readonly read: HTMLButtonElement;
  readonly found: HTMLElement;
  readonly form: HTMLFormElement;
  readonly passphraseLabel: HTMLElement;
  readonly error: HTMLElement;
}

/** Import: read the file (or pasted armor), show what it holds, then ask for the right passphrase and import. */
export function wireImportForm(ui: ImportElements, onImported: () => Promise<void>): void {
  let data: string | Uint8Array<ArrayBuffer> | undefined;
  let needsNewPassphrase = false;
  const passphrase = ui.form.elements.namedItem('passphrase') as HTMLInputElement;
  const strengthBox = ui.form.querySelector<HTMLElement>('.strength')!;
  const strength = attachStrengthMeter(passphrase, strengthBox, () => []);

  ui.read.addEventListener('click', () => {
    void busy(
      ui.read,
      ui.error,
      async () => {
        const file = ui.file.files?.[0];
        data = file ? new Uint8Array(await file.arrayBuffer()) : ui.text.value.trim();
        if (data.length === 0) throw new Error('Choose a key file or paste an armored key first.');
        const { keys } = await sendMessage('vault.inspectImport', { data });
        showCandidates(keys);
      },
      formErrorText,
    );
  });

  function showCandidates(keys: ImportCandidate[]): void {
    ui.found.replaceChildren(
      el('p', {}, keys.length === 1 ? 'This file holds one key:' : `This file holds ${keys.length} keys:`),
      el('ul', {}, ...keys.map(candidateItem)),
    );
    const importable = keys.every((k) => k.isPrivate);
    needsNewPassphrase = keys.some((k) => k.isPrivate && !k.isLocked);
    ui.form.hidden = !importable;
    strengthBox.hidden = !needsNewPassphrase;
    passphrase.autocomplete = needsNewPassphrase ? 'new-password' : 'current-password';
    ui.passphraseLabel.textContent = needsNewPassphrase
      ? 'This key has no passphrase. Choose one to protect it in Keyward'
      : 'The key’s passphrase';
    if (!importable) {
      ui.found.append(
        el(
          'p',
          { class: 'warning' },
          'Only your own private keys go here. Public keys of other people are contacts.',
        ),
      );
    }
  }

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(
      ui.form,
      ui.error,
      async () => {
        if (data === undefined) throw new Error('Read a key first.');
        if (needsNewPassphrase) {
          const checked = await strength();
          if (!checked.acceptable) throw new Error(weakPassphraseText(checked));
        }
        await sendMessage(
          'vault.import',
          needsNewPassphrase
            ? { data, newPassphrase: passphrase.value }
            : { data, passphrase: passphrase.value },
        );
        ui.form.reset();
        ui.form.hidden = true;
        ui.found.replaceChildren(el('p', { class: 'ok' }, 'Imported.'));
        ui.file.value = '';
        ui.text.value = '';
        data = undefined;
        await onImported();
      },
      formErrorText,
    );
  });
}

function candidateItem(k: ImportCandidate): HTMLLIElement {
  const facts = [
    k.isPrivate
      ? k.isLocked
        ? 'private key, passphrase-protected'
        : 'private key, no passphrase'
      : 'public key only',
    `${k.algorithm}, v${k.version}`,
    k.alreadyInVault ? 'already in Keyward: importing updates it' : '',
  ].filter(Boolean);
  return el(
    'li',
    {},
    el('strong', {}, k.userIds[0] ?? '(no user id)'),
    el('br'),
    el('code', {}, groupFingerprint(k.fingerprint)),
    el('br'),
    el('span', { class: 'muted' }, facts.join(' · ')),
  );
}
