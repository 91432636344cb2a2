import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Store } from '../store/ports';

/**
 * Forgets expired unverified uploads, tokens, escrow records (codes, logins, sessions, relay), digital-legacy
 * challenges and the records of mails given up on, on a timer (MongoDB's TTL indexes do it too; SQLite needs this).
 * Safe to run in several processes at once: each delete is idempotent.
 */
export async function sweepExpired(
  store: Store,
  clock: Clock,
  log: Logger,
): Promise<{ keys: number; tokens: number; escrow: number; legacy: number; failedMails: number }> {
  const now = clock.now().getTime();
  const keys = await store.keys.deleteExpiredKeys(now);
  const tokens = await store.tokens.deleteExpiredTokens(now);
  const escrow = await store.escrow.deleteExpired(now);
  const legacy = await store.legacy.deleteExpired(now);
  const failedMails = await store.mailQueue.deleteExpiredFailures(now);
  if (keys + tokens + escrow + legacy + failedMails > 0) {
    log.info({ keys, tokens, escrow, legacy, failedMails }, 'expired records removed');
  }
  return { keys, tokens, escrow, legacy, failedMails };
}

export function startSweeper(store: Store, clock: Clock, log: Logger, everyMs = 10 * 60_000): () => void {
  const timer = setInterval(() => {
    sweepExpired(store, clock, log).catch((err: unknown) => log.error({ err }, 'sweep failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
