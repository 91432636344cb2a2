import { generateMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { invalidInput } from '../errors';

export const RECOVERY_WORDS = 12;

/** A new recovery code: 128 random bits as 12 BIP39 English words, lower case, single spaces. */
export function newRecoveryPhrase(): string {
  return generateMnemonic(wordlist, 128);
}

/**
 * A recovery code as the user typed it (any case, extra spaces, new lines, numbering such as "3." or "3)"), in
 * its one form; a wrong word count, an unknown word or a typo the checksum catches is refused with a clear message.
 */
export function normalizeRecoveryPhrase(input: string): string {
  const words = input
    .toLowerCase()
    .split(/[\s,]+/)
    .map((w) => w.replace(/^\d+[.)]?$/, '').replace(/^\d+[.)]/, ''))
    .filter(Boolean);
  if (words.length !== RECOVERY_WORDS) {
    throw invalidInput(`A recovery code has ${RECOVERY_WORDS} words; this has ${words.length}.`);
  }
  const unknown = words.find((w) => !wordlist.includes(w));
  if (unknown !== undefined)
    throw invalidInput(`“${unknown.slice(0, 20)}” is not a word of a recovery code.`);
  const phrase = words.join(' ');
  if (!validateMnemonic(phrase, wordlist)) {
    throw invalidInput('These 12 words are not a valid recovery code: a word is wrong or two are swapped.');
  }
  return phrase;
}
