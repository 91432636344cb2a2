import { invalidInput } from '../errors';
import { compactHex, quoteForError } from './hex';
import { KeyId } from './key-id';

/** An OpenPGP fingerprint in its one canonical form: upper-case hex, 40 digits (v4) or 64 digits (v6). */
export type Fingerprint = string & { readonly __brand: 'Fingerprint' };

const HEX = /^[0-9A-F]*$/;

export const Fingerprint = {
  /** Accepts spaces, a `0x` prefix and either case, as people paste fingerprints. */
  parse(input: string): Fingerprint {
    const hex = compactHex(input);
    if (!HEX.test(hex)) throw invalidInput(`A fingerprint is hexadecimal; got ${quoteForError(input)}.`);
    if (hex.length !== 40 && hex.length !== 64) {
      throw invalidInput(
        `A fingerprint has 40 hex digits (v4 key) or 64 (v6 key); got ${hex.length}.` +
          (hex.length === 16 || hex.length === 8 ? ' That looks like a key id, not a fingerprint.' : ''),
      );
    }
    return hex as Fingerprint;
  },

  tryParse(input: string): Fingerprint | null {
    try {
      return Fingerprint.parse(input);
    } catch {
      return null;
    }
  },

  version(fpr: Fingerprint): 4 | 6 {
    return fpr.length === 64 ? 6 : 4;
  },

  /** RFC 9580 §5.5.4: a v4 key id is the low 64 bits of the fingerprint, a v6 key id the high 64 bits. */
  keyId(fpr: Fingerprint): KeyId {
    return KeyId.parse(fpr.length === 64 ? fpr.slice(0, 16) : fpr.slice(-16));
  },

  /** Groups of four for people to compare by eye. */
  format(fpr: Fingerprint): string {
    return fpr.replace(/(.{4})(?!$)/g, '$1 ');
  },
};
