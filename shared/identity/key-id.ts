import { invalidInput } from '../errors';
import { compactHex, quoteForError } from './hex';

/** A 64-bit OpenPGP key id: 16 upper-case hex digits. Short (32-bit) ids are refused: they are trivially forged. */
export type KeyId = string & { readonly __brand: 'KeyId' };

export const KeyId = {
  parse(input: string): KeyId {
    const hex = compactHex(input);
    if (!/^[0-9A-F]*$/.test(hex)) throw invalidInput(`A key id is hexadecimal; got ${quoteForError(input)}.`);
    if (hex.length === 8) {
      throw invalidInput(
        'Short key ids (8 hex digits) are refused: anyone can make a key with the same short id. ' +
          'Use the 16-digit key id or, better, the full fingerprint.',
      );
    }
    if (hex.length !== 16) throw invalidInput(`A key id has 16 hex digits; got ${hex.length}.`);
    return hex as KeyId;
  },

  tryParse(input: string): KeyId | null {
    try {
      return KeyId.parse(input);
    } catch {
      return null;
    }
  },
};
