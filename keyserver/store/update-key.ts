import { KeywardError } from '../../shared/errors';
import type { Fingerprint } from '../../shared/identity';
import type { KeyStore, StoredKey } from './ports';

const ATTEMPTS = 8;

/**
 * Read-change-write of one key with compare-and-swap (KeyStore.putKey): when another request or process wrote the
 * key in between, its change is re-read and `change` runs again on it, so no update (a revocation, a new subkey)
 * is ever lost. `change` returns the new value, or null to leave the key as it is.
 */
export async function updateKey(
  keys: KeyStore,
  fingerprint: Fingerprint,
  change: (current: StoredKey | null) => Promise<Omit<StoredKey, 'revision'> | null>,
): Promise<{ before: StoredKey | null; after: StoredKey | null }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await keys.getKey(fingerprint);
    const next = await change(before);
    if (next === null) return { before, after: before };
    const revision = before?.revision ?? 0;
    if (await keys.putKey({ ...next, revision }))
      return { before, after: { ...next, revision: revision + 1 } };
  }
  throw new KeywardError(
    'unavailable',
    'This key is being changed by many requests at once; try again shortly.',
  );
}
