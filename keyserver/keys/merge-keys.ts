import { invalidInput, KeywardError } from '../../shared/errors';
import { decodeKeyInput } from './decode-key-input';
import { groupCertificates } from './group-certificates';
import type { KeyLimits } from './key-limits';
import { combineCertificates, normalizeCertificate } from './normalize-certificate';
import { MAX_VERIFICATIONS_PER_UPLOAD } from './purify-upload';
import { toPurifiedKey, type PurifiedKey } from './purified-key';
import { readCertificate } from './read-certificate';
import { readStoredCertificate } from './read-stored-certificate';
import { scanPackets } from './scan-packets';

/**
 * Merges an update into a stored key: new subkeys, self-signatures and revocations join, and the result is cut to
 * the limits again at `now`. The update goes through the whole policy (it comes from anyone); the stored key is
 * trusted as purified and only re-judged for time and caps. The update may lack user IDs: it may be our own
 * user-ID-less copy coming back with a revocation. New addresses are reported in `emails`; publishing them still
 * needs their own verification (the caller's job).
 */
export async function mergeKeys(
  existing: Uint8Array,
  update: Uint8Array,
  limits: KeyLimits,
  now: Date,
): Promise<PurifiedKey> {
  const stored = await readStoredCertificate(existing, limits, now);
  const raws = groupCertificates(scanPackets(await decodeKeyInput(update)), limits);
  if (raws.length !== 1)
    throw invalidInput(`An update holds exactly one key; this one holds ${raws.length}.`);
  const incoming = await readCertificate(raws[0]!, {
    now,
    limits,
    budget: { remaining: MAX_VERIFICATIONS_PER_UPLOAD },
  });
  if (incoming.fingerprint !== stored.fingerprint) {
    throw new KeywardError(
      'conflict',
      `The update is for key ${incoming.fingerprint}, not for key ${stored.fingerprint}; they cannot be merged.`,
    );
  }
  return toPurifiedKey(normalizeCertificate(combineCertificates(stored, incoming), limits), limits, now);
}
