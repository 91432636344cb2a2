import { invalidInput } from '../errors';

/**
 * An e-mail address in its one normalised form, used for storage, lookups, comparisons and WKD alike:
 * surrounding white space and angle brackets dropped, Unicode NFC, then lower-cased as a whole.
 * Lower-casing the local part is what keys.openpgp.org does too: no real provider hands out addresses that
 * differ only in case, and treating them as one stops a second key from claiming `Alice@` beside `alice@`.
 */
export type Email = string & { readonly __brand: 'Email' };

const MAX_LENGTH = 254; // RFC 5321 §4.5.3.1.3 path limit less the brackets
const LOCAL = /^[^\s@<>()[\]\\,;:"]+$/u;
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

export const Email = {
  parse(input: string): Email {
    let s = input.trim();
    if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1).trim();
    s = s.normalize('NFC').toLowerCase();
    if (s.length === 0) throw invalidInput('An e-mail address is required.');
    if (s.length > MAX_LENGTH) throw invalidInput(`An e-mail address has at most ${MAX_LENGTH} characters.`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(s))
      throw invalidInput('An e-mail address cannot contain control characters.');
    const at = s.lastIndexOf('@');
    const local = s.slice(0, at);
    const domain = s.slice(at + 1);
    if (at <= 0 || !LOCAL.test(local) || local.length > 64) {
      throw invalidInput(`${JSON.stringify(input.slice(0, 80))} is not an e-mail address.`);
    }
    const labels = domain.split('.');
    if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
      throw invalidInput(`${JSON.stringify(input.slice(0, 80))} does not have a valid domain.`);
    }
    return s as Email;
  },

  tryParse(input: string): Email | null {
    try {
      return Email.parse(input);
    } catch {
      return null;
    }
  },

  /**
   * The address in an OpenPGP user id (`Name (comment) <addr>` or a bare `addr`), or null when it has none.
   * Anything ambiguous is null: a second `<...>` (GnuPG reads the *first*, so `Victim <victim@x> <me@y>` would show
   * as the victim's address once `me@y` was verified) or an `@` in the name part (`gpg -r` matches substrings).
   */
  fromUserId(userId: string): Email | null {
    const bracketed = /^([^<>@]*)<([^<>]*)>\s*$/.exec(userId);
    if (bracketed) return Email.tryParse(bracketed[2]!);
    return /[<>]/.test(userId) ? null : Email.tryParse(userId);
  },

  localPart(email: Email): string {
    return email.slice(0, email.lastIndexOf('@'));
  },

  domain(email: Email): string {
    return email.slice(email.lastIndexOf('@') + 1);
  },
};
