import type { Clock } from '../../shared/clock';
import { KeywardError } from '../../shared/errors';
import type { RateLimitStore } from '../store/ports';

export interface RateRule {
  /** Names the counter, e.g. 'lookup-ip' or 'verify-mail-address'. */
  bucket: string;
  limit: number;
  windowMs: number;
}

/**
 * Counts hits in the store (so limits hold across restarts and across every keyserver process) and refuses with
 * `rate_limited` + Retry-After once a subject (an IP address, an e-mail address, a fingerprint) is over its rule.
 */
export interface RateLimiter {
  enforce(rule: RateRule, subject: string): Promise<void>;
  /** Like enforce, but answers instead of throwing, for limits that must not show in the response. */
  allow(rule: RateRule, subject: string): Promise<boolean>;
}

export function createRateLimiter(store: RateLimitStore, clock: Clock): RateLimiter {
  const hit = (rule: RateRule, subject: string) =>
    store.hit(`${rule.bucket}:${subject}`, rule.limit, rule.windowMs, clock.now().getTime());
  return {
    async enforce(rule, subject) {
      const decision = await hit(rule, subject);
      if (!decision.allowed) {
        throw new KeywardError(
          'rate_limited',
          `Too many requests; try again in ${humanSeconds(decision.retryAfterSeconds)}.`,
          { retryAfterSeconds: decision.retryAfterSeconds },
        );
      }
    },
    async allow(rule, subject) {
      return (await hit(rule, subject)).allowed;
    },
  };
}

function humanSeconds(s: number): string {
  if (s < 90) return `${s} seconds`;
  if (s < 5400) return `${Math.ceil(s / 60)} minutes`;
  return `${Math.ceil(s / 3600)} hours`;
}
