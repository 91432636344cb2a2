import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Store } from '../store/ports';

/**
 * Forgets expired unverified uploads and tokens on a timer (MongoDB's TTL indexes do it too; SQLite needs this).
 * Safe to run in several processes at once: each delete is idempotent.
 */
export async function sweepExpired(
  store: Store,
  clock: Clock,
  log: Logger,
): Promise<{ keys: number; tokens: number }> {
  const now = clock.now().getTime();
  const keys = await store.keys.deleteExpiredKeys(now);
  const tokens = await store.tokens.deleteExpiredTokens(now);
  if (keys + tokens > 0) log.info({ keys, tokens }, 'expired records removed');
  return { keys, tokens };
}

export function startSweeper(store: Store, clock: Clock, log: Logger, everyMs = 10 * 60_000): () => void {
  const timer = setInterval(() => {
    sweepExpired(store, clock, log).catch((err: unknown) => log.error({ err }, 'sweep failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
