import type Database from 'better-sqlite3';
import { fixedWindow, rateDecision } from '../fixed-window';
import type { RateLimitStore } from '../ports';
import { settled } from './sqlite-database';

/** Ended windows are deleted at most this often, by whichever hit comes first after the interval. */
const SWEEP_INTERVAL_MS = 60_000;

export function createSqliteRateLimitStore(db: Database.Database): RateLimitStore {
  // One statement counts the hit and reads the total: atomic across processes sharing the file.
  const upsert = db.prepare<[string, number, number, number], { count: number }>(`
    INSERT INTO rate_limits (key, window_start, expires_at, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (key, window_start) DO UPDATE SET count = count + excluded.count
    RETURNING count`);
  const sweep = db.prepare('DELETE FROM rate_limits WHERE expires_at <= ?');
  let nextSweep = -Infinity;

  return {
    hit: (key, limit, windowMs, now, hits = 1) =>
      settled(() => {
        const window = fixedWindow(now, windowMs);
        if (now >= nextSweep) {
          sweep.run(now);
          nextSweep = now + SWEEP_INTERVAL_MS;
        }
        const { count } = upsert.get(key, window.start, window.end, hits)!;
        return rateDecision(count, limit, window.end, now);
      }),
  };
}
