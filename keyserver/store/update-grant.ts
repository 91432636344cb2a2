import { KeywardError } from '../../shared/errors';
import type { LegacyGrant, LegacyGrantStore } from './legacy-ports';

const ATTEMPTS = 8;

/**
 * Read-change-write of one grant with compare-and-swap (LegacyGrantStore.put): when a request, a sweep or another
 * process wrote the grant in between, `change` runs again on what is stored now, so a refusal and a release (or a
 * revocation and a reminder) never both win. `change` returns the next grant with what happened, or null to leave
 * it; it may throw to refuse.
 */
export async function updateGrant<E>(
  grants: LegacyGrantStore,
  id: string,
  change: (current: LegacyGrant) => { grant: LegacyGrant; events: E[] } | null,
): Promise<{ grant: LegacyGrant; events: E[] } | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await grants.get(id);
    if (!current) return null;
    const next = change(current);
    if (next === null) return { grant: current, events: [] };
    if (await grants.put({ ...next.grant, revision: current.revision })) {
      return { grant: { ...next.grant, revision: current.revision + 1 }, events: next.events };
    }
  }
  throw new KeywardError(
    'unavailable',
    'This grant is being changed by many requests at once; try again shortly.',
  );
}
