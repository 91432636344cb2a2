import { describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import { openSqliteStore } from '../store/sqlite/sqlite-store';
import { createRateLimiter } from './rate-limiter';

const MINUTE = 60_000;

async function outcomes(
  limiter: ReturnType<typeof createRateLimiter>,
  limit: number,
  n: number,
  subject = 'c',
) {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++)
    out.push(await limiter.allow({ bucket: 'b', limit, windowMs: MINUTE }, subject));
  return out;
}

describe('rate limiter', () => {
  it('allows exactly the limit in one process, with one store write per block of hits', async () => {
    const store = openSqliteStore(':memory:');
    const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 10));
    let writes = 0;
    const counting: typeof store.rateLimits = {
      hit: (...args) => {
        writes++;
        return store.rateLimits.hit(...args);
      },
    };
    const limiter = createRateLimiter(counting, clock);
    expect((await outcomes(limiter, 60, 60)).every(Boolean)).toBe(true);
    expect(writes).toBe(Math.ceil(60 / 7)); // blocks of 60 / 8 = 7
    expect(await outcomes(limiter, 60, 1)).toEqual([false]);
    await store.close();
  });

  it('never lets a client past its limit across several processes sharing a store', async () => {
    const store = openSqliteStore(':memory:');
    const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 10));
    const processes = [1, 2, 3, 4].map(() => createRateLimiter(store.rateLimits, clock));
    let allowed = 0;
    for (let i = 0; i < 100; i++)
      if (await processes[i % 4]!.allow({ bucket: 'b', limit: 60, windowMs: MINUTE }, 'c')) allowed++;
    expect(allowed).toBeLessThanOrEqual(60);
    expect(allowed).toBeGreaterThanOrEqual(60 - 4 * 6);
    await store.close();
  });

  it('lets exactly the limit through when one client sends many requests at once', async () => {
    // Every overlapping request misses the reservation and reserves a block of its own; the hits of all the blocks
    // are this process's to spend, so none is lost and none is spent twice.
    const store = openSqliteStore(':memory:');
    const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 10));
    const limiter = createRateLimiter(store.rateLimits, clock);
    const rule = { bucket: 'b', limit: 60, windowMs: MINUTE };
    const burst = await Promise.all(Array.from({ length: 100 }, () => limiter.allow(rule, 'c')));
    expect(burst.filter(Boolean)).toHaveLength(60);
    expect(await limiter.allow(rule, 'c')).toBe(false);
    await store.close();
  });

  it('counts one at a time for small limits (one mail an hour), so they are exact', async () => {
    const store = openSqliteStore(':memory:');
    const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 10));
    const a = createRateLimiter(store.rateLimits, clock);
    const b = createRateLimiter(store.rateLimits, clock);
    const rule = { bucket: 'mail', limit: 1, windowMs: 3_600_000 };
    expect(await a.allow(rule, 'x@example.org')).toBe(true);
    expect(await b.allow(rule, 'x@example.org')).toBe(false);
    expect(await a.allow(rule, 'x@example.org')).toBe(false);
    await store.close();
  });

  it('refuses with a retry time and starts afresh in the next window', async () => {
    const store = openSqliteStore(':memory:');
    const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const limiter = createRateLimiter(store.rateLimits, clock);
    const rule = { bucket: 'b', limit: 2, windowMs: MINUTE };
    await limiter.enforce(rule, 'c');
    await limiter.enforce(rule, 'c');
    const refused = await limiter.enforce(rule, 'c').catch((e: unknown) => e);
    expect(isKeywardError(refused, 'rate_limited')).toBe(true);
    expect((refused as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBe(30);
    clock.advance(30_000);
    await limiter.enforce(rule, 'c');
    await store.close();
  });
});
