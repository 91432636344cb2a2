import type { HistoryEntry, HistoryEvent } from '../../shared/legacy';
import type { LegacyStore } from '../store/legacy-ports';

/** Who did something to a grant, for its audit trail: a party with its proof and client, or the keyserver. */
export type Actor =
  { actor: 'owner' | 'trusted'; proof: 'signature' | 'session'; client: string } | { actor: 'keyserver' };

/**
 * Records what happened. A release that fell due is the keyserver's doing whoever's request stored it; everything
 * else is the acting party's.
 */
export async function recordEvents(
  store: { legacy: LegacyStore },
  grantId: string,
  at: number,
  events: readonly { event: HistoryEvent; requestId: string | null }[],
  by: Actor,
): Promise<void> {
  for (const { event, requestId } of events) {
    const party = by.actor === 'keyserver' || event === 'released' || event === 'reminded' ? null : by;
    const entry: HistoryEntry = party
      ? { at, event, actor: party.actor, proof: party.proof, client: party.client, requestId }
      : { at, event, actor: 'keyserver', proof: null, client: null, requestId };
    await store.legacy.audit.record({ grantId, ...entry });
  }
}
