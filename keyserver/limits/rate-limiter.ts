import type { Clock } from '../../shared/clock';
import { KeywardError } from '../../shared/errors';
import { fixedWindow } from '../store/fixed-window';
import type { RateLimitStore } from '../store/ports';

export interface RateRule {
  /** Names the counter, e.g. 'lookup-ip' or 'verify-mail'. */
  bucket: string;
  limit: number;
  windowMs: number;
}

/**
 * Counts hits in the store (so limits hold across restarts and across every keyserver process) and refuses with
 * `rate_limited` + Retry-After once a subject (an IP address, an e-mail address) is over its rule.
 *
 * A store write per lookup would be most of a lookup's cost (docs/benchmarks.md), so the limiter reserves hits in
 * blocks of limit / 8 (7 of the default 60 lookups a minute; exactly 1 for the one-mail-an-hour rules) and spends
 * them in this process. The store's total never undercounts, so no client ever gets more than its limit across all
 * processes; a client spread over P processes may be refused up to P × (block - 1) hits early. Requests of one
 * subject that overlap before its block is counted each reserve a block; this process keeps and spends all of them,
 * so a burst loses nothing here, though it may make other processes refuse that subject a little earlier still.
 */
export interface RateLimiter {
  enforce(rule: RateRule, subject: string): Promise<void>;
  /** Like enforce, but answers instead of throwing, for limits that must not show in the response. */
  allow(rule: RateRule, subject: string): Promise<boolean>;
}

const BLOCK_DIVISOR = 8;
const MAX_RESERVATIONS = 100_000;

interface Reservation {
  windowEnd: number;
  left: number;
}

export function createRateLimiter(store: RateLimitStore, clock: Clock): RateLimiter {
  // Per bucket, then per subject: no key string is built per request, and subjects from clientOf are the same
  // string each time, so their hashes are cached.
  const reserved = new Map<string, Map<string, Reservation>>();
  let size = 0;

  /** Spends one reserved hit, if this process holds one for the subject in the current window. */
  function spend(rule: RateRule, subject: string, now: number): boolean {
    const held = reserved.get(rule.bucket)?.get(subject);
    if (!held || held.windowEnd <= now || held.left === 0) return false;
    held.left--;
    return true;
  }

  function reserve(rule: RateRule, subject: string, now: number, hits: number): void {
    const windowEnd = fixedWindow(now, rule.windowMs).end;
    let bucket = reserved.get(rule.bucket);
    const held = bucket?.get(subject);
    if (held) {
      // Requests of one subject that overlap each reserve a block: the hits of all of them are this process's.
      held.left = (held.windowEnd === windowEnd ? held.left : 0) + hits;
      held.windowEnd = windowEnd;
      return;
    }
    if (size >= MAX_RESERVATIONS) prune(now);
    if (!bucket) reserved.set(rule.bucket, (bucket = new Map<string, Reservation>()));
    bucket.set(subject, { windowEnd, left: hits });
    size++;
  }

  /** Seconds to wait when refused, 0 when allowed. */
  async function hit(rule: RateRule, subject: string): Promise<number> {
    const now = clock.now().getTime();
    if (spend(rule, subject, now)) return 0;
    const block = Math.max(1, Math.floor(rule.limit / BLOCK_DIVISOR));
    const decision = await store.hit(`${rule.bucket}:${subject}`, rule.limit, rule.windowMs, now, block);
    // Of the block just counted, the hits that still fit under the limit are ours to spend.
    const granted = Math.min(block, Math.max(0, rule.limit - (decision.count - block)));
    if (granted > 0) reserve(rule, subject, now, granted);
    return spend(rule, subject, now) ? 0 : Math.max(1, decision.retryAfterSeconds);
  }

  function prune(now: number): void {
    size = 0;
    for (const bucket of reserved.values()) {
      for (const [subject, r] of bucket) if (r.windowEnd <= now || r.left === 0) bucket.delete(subject);
      size += bucket.size;
    }
    // Dropping reservations is always safe: unspent hits only make limits stricter.
    if (size >= MAX_RESERVATIONS) {
      reserved.clear();
      size = 0;
    }
  }

  return {
    async enforce(rule, subject) {
      const retryAfterSeconds = await hit(rule, subject);
      if (retryAfterSeconds > 0) {
        throw new KeywardError(
          'rate_limited',
          `Too many requests; try again in ${humanSeconds(retryAfterSeconds)}.`,
          {
            retryAfterSeconds,
          },
        );
      }
    },
    async allow(rule, subject) {
      return (await hit(rule, subject)) === 0;
    },
  };
}

function humanSeconds(s: number): string {
  if (s < 90) return `${s} seconds`;
  if (s < 5400) return `${Math.ceil(s / 60)} minutes`;
  return `${Math.ceil(s / 3600)} hours`;
}
