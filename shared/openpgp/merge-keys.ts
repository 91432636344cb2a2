import { invalidInput } from '../errors';
import type { UnlockedKey } from './lock-key';
import { fullConfig, READ_CONFIG } from './profile';
import { parsePrivateKey } from './read-keys';

/**
 * One private key from two unlocked copies of it: the stored copy plus whatever the other adds (user ids,
 * subkeys, certifications, revocations), the way openpgp.js (like GnuPG on import) merges two copies of a
 * certificate. Nothing the stored copy has is dropped, so importing an old backup over a newer key cannot lose a
 * subkey (and with it the files encrypted to that subkey). Where both copies hold the same secret key packet, the
 * stored one is kept.
 */
export async function mergePrivateKeys(
  stored: UnlockedKey,
  incoming: UnlockedKey,
  options: { date: Date },
): Promise<UnlockedKey> {
  const [base, update] = [await parsePrivateKey(stored), await parsePrivateKey(incoming)];
  if (base.getFingerprint() !== update.getFingerprint()) throw invalidInput('These are two different keys.');
  const config = fullConfig(READ_CONFIG);
  const merged = await base.update(update, options.date, config);
  return merged.armor(config) as UnlockedKey;
}
