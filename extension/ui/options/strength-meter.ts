import { el } from '../dom';
import { passphraseStrength, type Strength } from '../passphrase-strength';

/**
 * Shows a passphrase's strength under its field as the user types, and tells the form whether to accept it.
 * `userInputs` (name, address) count against the passphrase.
 */
export function attachStrengthMeter(
  input: HTMLInputElement,
  box: HTMLElement,
  userInputs: () => string[],
): () => Promise<Strength> {
  const meter = el('meter', { min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0' });
  meter.setAttribute('aria-label', 'Passphrase strength');
  const label = el('span', { class: 'strength-label' });
  const advice = el('span', { class: 'muted' });
  box.replaceChildren(meter, label, advice);
  box.setAttribute('aria-live', 'polite');

  const evaluate = async () => {
    const strength = await passphraseStrength(input.value, userInputs());
    meter.value = input.value ? strength.score : 0;
    label.textContent = input.value ? strength.label : '';
    advice.textContent = input.value && !strength.acceptable ? ` ${strength.advice}` : '';
    return strength;
  };
  input.addEventListener('input', () => void evaluate());
  return evaluate;
}

/** The message for a passphrase the form refuses. */
export function weakPassphraseText(strength: Strength): string {
  return `This passphrase is too easy to guess (${strength.label.toLowerCase()}). ${strength.advice} Try a few unrelated words.`.trim();
}
