import { invalidInput } from '../../../shared/errors';
import { el } from '../dom';
import { passphraseStrength, type Strength } from '../passphrase-strength';

/**
 * Shows a passphrase's strength under its field as the user types. `userInputs` (name, address, user ids) count
 * against the passphrase; `watch` are the fields they come from, so editing them updates the meter too.
 * Returns the check a form runs before it submits.
 */
export function attachStrengthMeter(
  input: HTMLInputElement,
  box: HTMLElement,
  userInputs: () => string[],
  watch: readonly HTMLInputElement[] = [],
): () => Promise<Strength> {
  const meter = el('meter', { min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0' });
  meter.setAttribute('aria-label', 'Passphrase strength');
  const label = el('span', { class: 'strength-label' });
  const advice = el('span', { class: 'strength-advice muted' });
  box.replaceChildren(meter, label, advice);
  box.setAttribute('aria-live', 'polite');

  // The first check waits for the dictionaries; a later, faster one must not be overwritten by it.
  let latest = 0;
  const evaluate = async () => {
    const run = ++latest;
    const strength = await passphraseStrength(input.value, userInputs());
    if (run === latest) {
      meter.value = input.value ? strength.score : 0;
      label.textContent = input.value ? strength.label : '';
      box.dataset.score = input.value ? String(strength.score) : '';
      advice.textContent = input.value && !strength.acceptable ? strength.advice : '';
    }
    return strength;
  };
  for (const field of [input, ...watch]) field.addEventListener('input', () => void evaluate());
  return evaluate;
}

/** Thrown when a form refuses a passphrase: zxcvbn's own advice, in words. */
export function weakPassphraseError(strength: Strength): Error {
  const advice = strength.advice || 'Add a few more unrelated words.';
  return invalidInput(`This passphrase is too easy to guess (${strength.label.toLowerCase()}). ${advice}`);
}
