import { invalidInput, type KeywardError } from '../../shared/errors';
import type { Fingerprint } from '../../shared/identity';
import type { Certificate } from './certificate';
import { decodeKeyInput } from './decode-key-input';
import { groupCertificates } from './group-certificates';
import type { KeyLimits } from './key-limits';
import { combineCertificates, normalizeCertificate } from './normalize-certificate';
import { toPurifiedKey, type PurifiedKey } from './purified-key';
import { readCertificate } from './read-certificate';
import { scanPackets } from './scan-packets';

/**
 * Signature verifications one upload may cost, over all its keys: about 0.4 ms each in Node 20 for Ed25519 and
 * RSA-3072, so under a second of CPU. A full key at the default limits needs about 410 (41 components, 5
 * self-signatures and 5 revocations each); uploads beyond that are forged-signature floods and only hurt themselves.
 */
export const MAX_VERIFICATIONS_PER_UPLOAD = 2000;

export interface PurifyOptions {
  /**
   * Whether the directory already holds this key. A known key may arrive without a usable user ID: GnuPG holds
   * our user-ID-less copy of it (served by fingerprint so revocations reach clients) and sends that back.
   */
  isKnown?: (fingerprint: Fingerprint) => boolean | Promise<boolean>;
}

/**
 * Applies the key policy to an upload (armored or binary, one key or several) and returns each key purified.
 * Refuses garbage, private keys, v3 and v5 keys, keys with no usable self-signed user ID with an address, and keys
 * still over the size limit once purified.
 */
export async function purifyUpload(
  input: string | Uint8Array,
  limits: KeyLimits,
  now: Date,
  options: PurifyOptions = {},
): Promise<PurifiedKey[]> {
  const raws = groupCertificates(scanPackets(await decodeKeyInput(input)), limits);
  if (raws.length === 0) throw invalidInput('The upload holds no public key.');
  const budget = { remaining: MAX_VERIFICATIONS_PER_UPLOAD };
  const byFingerprint = new Map<Fingerprint, { cert: Certificate; notes: string[] }>();
  for (const raw of raws) {
    const cert = await readCertificate(raw, { now, limits, budget });
    const seen = byFingerprint.get(cert.fingerprint);
    byFingerprint.set(
      cert.fingerprint,
      seen
        ? { cert: combineCertificates(seen.cert, cert), notes: [...seen.notes, ...raw.notes] }
        : { cert, notes: raw.notes },
    );
  }
  const keys: PurifiedKey[] = [];
  for (const { cert, notes } of byFingerprint.values()) {
    const purified = normalizeCertificate(cert, limits);
    if (purified.userIds.length === 0 && !(await options.isKnown?.(purified.fingerprint))) {
      throw noUsableUserId(purified.fingerprint, notes, budget.remaining <= 0);
    }
    keys.push(toPurifiedKey(purified, limits, now));
  }
  return keys;
}

function noUsableUserId(fingerprint: Fingerprint, notes: string[], outOfBudget: boolean): KeywardError {
  const reasons = [...new Set(notes.filter((n) => n.startsWith('user ID') || n.startsWith('a user ID')))];
  if (outOfBudget) reasons.push('the upload holds too many signatures to check');
  const why = reasons.length > 0 ? ` (${reasons.slice(0, 3).join('; ')})` : '';
  return invalidInput(
    `Key ${fingerprint} has no user ID with an e-mail address and a valid self-signature${why}. ` +
      'Add an e-mail address to the key with your OpenPGP software, then upload it again.',
  );
}
