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
 * processes; a client spread over P processes may be refused up to P × (block - 1) hits early.
 */
export interface RateLimiter {
  enforce(rule: RateRule, subject: string): Promise<void>;
  /** Like enforce, but answers instead of throwing, for limits that must not show in the response. */
  allow(rule: RateRule, subject: string): Promise<boolean>;
}

const BLOCK_DIVISOR = 8;
const MAX_RESERVATIONS = 100_000;

export function createRateLimiter(store: RateLimitStore, clock: Clock): RateLimiter {
  const reserved = new Map<string, { windowEnd: number; left: number }>();

  /** Seconds to wait when refused, 0 when allowed. */
  async function hit(rule: RateRule, subject: string): Promise<number> {
    const key = `${rule.bucket}:${subject}`;
    const now = clock.now().getTime();
    const held = reserved.get(key);
    if (held && held.windowEnd > now && held.left > 0) {
      held.left--;
      return 0;
    }
    const block = Math.max(1, Math.floor(rule.limit / BLOCK_DIVISOR));
    const decision = await store.hit(key, rule.limit, rule.windowMs, now, block);
    // Of the block just counted, the hits that still fit under the limit are ours to spend.
    const granted = Math.min(block, Math.max(0, rule.limit - (decision.count - block)));
    if (granted === 0) return Math.max(1, decision.retryAfterSeconds);
    if (reserved.size >= MAX_RESERVATIONS) prune(now);
    reserved.set(key, { windowEnd: fixedWindow(now, rule.windowMs).end, left: granted - 1 });
    return 0;
  }

  function prune(now: number): void {
    for (const [key, r] of reserved) if (r.windowEnd <= now || r.left === 0) reserved.delete(key);
    // Dropping reservations is always safe: unspent hits only make limits stricter.
    if (reserved.size >= MAX_RESERVATIONS) reserved.clear();
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
