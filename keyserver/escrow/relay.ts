import { KeywardError } from '../../shared/errors';
import type { RelaySlot } from '../store/escrow-ports';
import { ESCROW_POLICY as P, type EscrowDeps } from './escrow-deps';
import { escrowError } from '../../shared/escrow/escrow-api';

/**
 * The blind relay for device hand-over: it holds one opaque, end-to-end encrypted payload per channel and slot for
 * at most ten minutes and hands it out once. It learns nothing but sizes and times.
 */
export function createRelay(deps: EscrowDeps) {
  const now = () => deps.clock.now().getTime();
  return {
    async put(channel: string, slot: RelaySlot, payload: string): Promise<void> {
      const t = now();
      if (!(await deps.store.escrow.relay.put(channel, slot, payload, t, t + P.relayTtlMs))) {
        throw escrowError(
          'slot_taken',
          'This hand-over slot was already written; start the hand-over again.',
        );
      }
    },
    async take(channel: string, slot: RelaySlot): Promise<string> {
      const payload = await deps.store.escrow.relay.take(channel, slot, now());
      if (payload === null) throw new KeywardError('not_found', 'Nothing is waiting here (yet).');
      return payload;
    },
  };
}

export type Relay = ReturnType<typeof createRelay>;
