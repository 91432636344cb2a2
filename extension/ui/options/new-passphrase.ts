import { invalidInput } from '../../../shared/errors';
import { el } from '../dom';
import { attachStrengthMeter, weakPassphraseError } from './strength-meter';

export interface NewPassphraseFields {
  readonly passphrase: HTMLInputElement;
  readonly repeat: HTMLInputElement;
  /** Where the strength meter goes (right under `passphrase`). */
  readonly strengthBox: HTMLElement;
  /** Things the user might put into a passphrase: name, address, user ids. */
  readonly userInputs: () => string[];
  /** Fields `userInputs` reads, so changing them re-rates the passphrase. */
  readonly watch?: readonly HTMLInputElement[];
}

/**
 * A new passphrase typed twice, with a strength meter and a "do not match" hint under the repeat field. Returns
 * the check a form awaits before submitting: it throws a user-facing error for a mismatch or a weak passphrase.
 */
export function mountNewPassphrase(fields: NewPassphraseFields): () => Promise<void> {
  const strength = attachStrengthMeter(
    fields.passphrase,
    fields.strengthBox,
    fields.userInputs,
    fields.watch,
  );
  const hint = el('span', { class: 'field-hint', id: `${fields.repeat.name || 'repeat'}-hint-${++hints}` });
  hint.setAttribute('aria-live', 'polite');
  // After the label, not inside it: inside, the hint would become part of the field's name.
  (fields.repeat.closest('label') ?? fields.repeat).after(hint);
  fields.repeat.setAttribute('aria-describedby', hint.id);
  const showMatch = () => {
    const mismatch = fields.repeat.value !== '' && !fields.passphrase.value.startsWith(fields.repeat.value);
    hint.textContent = mismatch ? 'The two passphrases are not the same yet.' : '';
    if (mismatch) fields.repeat.setAttribute('aria-invalid', 'true');
    else fields.repeat.removeAttribute('aria-invalid');
  };
  fields.repeat.addEventListener('input', showMatch);
  fields.passphrase.addEventListener('input', showMatch);
  // Both fields shown as typed, on the user's choice (long passphrases are easier to get right when seen).
  const show = el('input', { type: 'checkbox' });
  show.addEventListener('change', () => {
    for (const field of [fields.passphrase, fields.repeat]) field.type = show.checked ? 'text' : 'password';
  });
  hint.after(el('label', { class: 'check show-passphrase' }, show, el('span', {}, 'Show the passphrases')));

  return async () => {
    if (fields.passphrase.value !== fields.repeat.value) {
      throw invalidInput('The two passphrases are not the same.');
    }
    const checked = await strength();
    if (!checked.acceptable) throw weakPassphraseError(checked);
  };
}

let hints = 0;
