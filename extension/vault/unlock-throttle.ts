import { KeywardError } from '../../shared/errors';
import type { Attempts } from './vault-records';

/**
 * Wrong passphrases: the first FREE_FAILURES cost nothing (typos), then each further one doubles the wait, from
 * FIRST_DELAY_S up to MAX_DELAY_S. Counted per key on disk, so closing the browser does not reset it; a right
 * passphrase does. It slows a person (or a page driving the UI) guessing at this device; offline guessing against a
 * stolen profile is bounded by Argon2id instead.
 */
export const FREE_FAILURES = 3;
export const FIRST_DELAY_S = 5;
export const MAX_DELAY_S = 15 * 60;

export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_FAILURES));
}

/** Throws rate_limited while a key is in its waiting time. */
export function assertMayTry(attempts: Attempts, fingerprint: string, now: number): void {
  const entry = attempts[fingerprint];
  if (entry === undefined || entry.notBefore <= now) return;
  const seconds = Math.ceil((entry.notBefore - now) / 1000);
  throw new KeywardError(
    'rate_limited',
    `Too many wrong passphrases. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
    { retryAfterSeconds: seconds },
  );
}

export function withFailure(attempts: Attempts, fingerprint: string, now: number): Attempts {
  const failures = (attempts[fingerprint]?.failures ?? 0) + 1;
  return { ...attempts, [fingerprint]: { failures, notBefore: now + delayAfter(failures) * 1000 } };
}

export function withSuccess(attempts: Attempts, fingerprint: string): Attempts {
  const { [fingerprint]: _dropped, ...rest } = attempts;
  return rest;
}
