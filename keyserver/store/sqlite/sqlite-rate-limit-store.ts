import type Database from 'better-sqlite3';
import { fixedWindow, rateDecision } from '../fixed-window';
import type { RateDecision, RateLimitStore } from '../ports';

/** Ended windows are deleted at most this often, by whichever hit comes first after the interval. */
const SWEEP_INTERVAL_MS = 60_000;

interface PendingHit {
  key: string;
  limit: number;
  now: number;
  hits: number;
  window: { start: number; end: number };
  resolve: (decision: RateDecision) => void;
  reject: (error: Error) => void;
}

/**
 * Every hit is counted in the file, so limits hold across every process sharing it. Committing a write transaction
 * is most of a hit's cost (file locks, a WAL frame per page, checkpoints), and a busy server counts many hits at
 * once: the hits that arrive in one turn of the event loop are counted in one transaction, each with its own
 * atomic upsert and its own exact total. Nothing is decided before the count is in the file.
 */
export function createSqliteRateLimitStore(db: Database.Database): RateLimitStore {
  // One statement counts the hit and reads the total: atomic across processes sharing the file.
  const upsert = db.prepare<[string, number, number, number], { count: number }>(`
    INSERT INTO rate_limits (key, window_start, expires_at, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (key, window_start) DO UPDATE SET count = count + excluded.count
    RETURNING count`);
  const sweep = db.prepare('DELETE FROM rate_limits WHERE expires_at <= ?');
  let nextSweep = -Infinity;

  const countAll = db.transaction((batch: PendingHit[]): RateDecision[] => {
    // The earliest hit's time: every window that ended by then has ended for each hit in the batch.
    const earliest = batch.reduce((t, h) => Math.min(t, h.now), Infinity);
    if (earliest >= nextSweep) {
      sweep.run(earliest);
      nextSweep = earliest + SWEEP_INTERVAL_MS;
    }
    return batch.map((h) => {
      const { count } = upsert.get(h.key, h.window.start, h.window.end, h.hits)!;
      return rateDecision(count, h.limit, h.window.end, h.now);
    });
  });

  let queue: PendingHit[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    let decisions: RateDecision[];
    try {
      // IMMEDIATE: take the write lock first, so a concurrent writer makes this wait (busy_timeout), never fail.
      decisions = countAll.immediate(batch);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const h of batch) h.reject(error);
      return;
    }
    batch.forEach((h, i) => h.resolve(decisions[i]!));
  };

  return {
    hit: (key, limit, windowMs, now, hits = 1) =>
      new Promise<RateDecision>((resolve, reject) => {
        const window = fixedWindow(now, windowMs); // throws on a bad window: only this hit fails
        // setImmediate runs once the I/O of this loop turn has been handled: one transaction for all its hits.
        if (queue.length === 0) setImmediate(flush);
        queue.push({ key, limit, now, hits, window, resolve, reject });
      }),
  };
}
