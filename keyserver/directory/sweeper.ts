import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Store } from '../store/ports';

/**
 * Forgets expired unverified uploads and tokens on a timer (MongoDB's TTL indexes do it too; SQLite needs this).
 * Safe to run in several processes at once: each delete is idempotent.
 */
export function startSweeper(store: Store, clock: Clock, log: Logger, everyMs = 10 * 60_000): () => void {
  const sweep = async () => {
    const now = clock.now().getTime();
    const keys = await store.keys.deleteExpiredKeys(now);
    const tokens = await store.tokens.deleteExpiredTokens(now);
    if (keys + tokens > 0) log.info({ keys, tokens }, 'expired records removed');
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => log.error({ err }, 'sweep failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
