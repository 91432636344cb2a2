import type { RateDecision } from './ports';

/**
 * The fixed rate-limit window `now` falls in: windows start at multiples of `windowMs` since the epoch, so every
 * keyserver process sharing a store counts into the same window without coordinating.
 */
export function fixedWindow(now: number, windowMs: number): { start: number; end: number } {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0)
    throw new RangeError(`Bad rate-limit window: ${windowMs}`);
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, end: start + windowMs };
}

/** The decision for the `count`th hit (this one included) in a window that ends at `end`. */
export function rateDecision(count: number, limit: number, end: number, now: number): RateDecision {
  const allowed = count <= limit;
  return { allowed, count, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((end - now) / 1000)) };
}
