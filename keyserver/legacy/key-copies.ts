import { isKeywardError } from '../../shared/errors';
import type { Fingerprint } from '../../shared/identity';
import { legacyError } from '../../shared/legacy';
import { mergePublicKeys, readPublicKeys, summarizeKey } from '../../shared/openpgp';
import type { LegacyDeps } from './legacy-deps';

export interface PublicKeyRead {
  armored: string;
  fingerprint: Fingerprint;
}

/**
 * Public keys as digital legacy checks them: one key, public (a private key sent here is refused, never stored),
 * and merged with every copy the keyserver already holds of the same fingerprint (the grant's, and the directory's
 * purified one), so a revocation or an expiry known to any copy counts, and a new self-signature (a renewed expiry)
 * from any copy too. Merging never drops a revocation (shared/openpgp mergePublicKeys).
 */
export function createKeyCopies(deps: Pick<LegacyDeps, 'store' | 'clock'>) {
  const now = () => deps.clock.now();

  /** Reads one public key sent by a client; `terms_invalid` or `proof_invalid` (by `reason`) when it is not one. */
  async function readOne(armored: string, reason: 'terms_invalid' | 'proof_invalid'): Promise<PublicKeyRead> {
    let entries;
    try {
      entries = await readPublicKeys(armored, { date: now() });
    } catch (e) {
      if (!isKeywardError(e)) throw e;
      throw legacyError(reason, `A public key sent is not readable: ${e.message}`);
    }
    const [entry] = entries;
    if (entries.length !== 1 || !entry) throw legacyError(reason, 'Send exactly one public key.');
    if (entry.wasPrivate) throw legacyError(reason, 'Send the public key only, never a private key.');
    return { armored: entry.armored, fingerprint: entry.summary.fingerprint };
  }

  /** `key` merged with the given copies of the same fingerprint and the directory's copy; others are ignored. */
  async function merged(key: PublicKeyRead, copies: readonly string[]): Promise<string> {
    let result = key.armored;
    const stored = await deps.store.keys.getKey(key.fingerprint);
    const candidates: (string | Uint8Array)[] = [...copies, ...(stored ? [stored.packets] : [])];
    for (const copy of candidates) {
      const sameKey = await summarizeKey(copy, { date: now() }).then(
        (s) => s.fingerprint === key.fingerprint,
        () => false,
      );
      if (sameKey) result = await mergePublicKeys(result, copy, { date: now() });
    }
    return result;
  }

  return {
    readOne,
    merged,
    /** Whether a stored key, with everything the directory knows of it, is still usable (not revoked or expired). */
    async isUsable(armored: string): Promise<boolean> {
      const key = await readOne(armored, 'terms_invalid');
      const summary = await summarizeKey(await merged(key, []), { date: now() });
      return !summary.revoked && !summary.expired;
    },
  };
}

export type KeyCopies = ReturnType<typeof createKeyCopies>;
