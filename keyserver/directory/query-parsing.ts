import { invalidInput } from '../../shared/errors';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import type { KeyQuery } from './lookup';

/**
 * One reading of "what key is meant" for HKP's `search=` and the REST API: an address (perhaps in <...>), or
 * 0x + 16, 40 or 64 hex digits. Short 8-digit ids are refused (forgeable); names are not searched (only exact
 * addresses are, so the directory cannot be browsed).
 */
export function parseSearch(search: string): KeyQuery {
  const s = search.trim();
  if (/^(0x)?[0-9a-f\s]+$/i.test(s) && !s.includes('@')) {
    const hex = s.replace(/^0x/i, '').replace(/\s+/g, '');
    if (hex.length === 16 || hex.length === 8) return { kind: 'keyid', keyId: KeyId.parse(hex) };
    return { kind: 'fingerprint', fingerprint: Fingerprint.parse(hex) };
  }
  const email = Email.tryParse(s.replace(/^.*<([^<>]+)>\s*$/, '$1'));
  if (!email) {
    throw invalidInput('Search for an exact e-mail address, a 16-digit key id or a fingerprint.');
  }
  return { kind: 'email', email };
}
