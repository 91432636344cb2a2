import { legacyError } from '../../shared/legacy';
import { isWellFormedBearer, newBearer, sha256Hex } from '../escrow/escrow-secrets';
import { LEGACY_POLICY, type LegacyDeps } from './legacy-deps';

/**
 * Single-use challenges (docs/legacy.md, "Asking for access"): 256 random bits, 5 minutes, kept only as SHA-256.
 * Every signed statement names one, and the challenge is taken before anything else is looked at, so a statement
 * counts once: a replay fails whatever it says, and on any other server it never counted.
 */
export function createChallenges(deps: Pick<LegacyDeps, 'store' | 'clock'>) {
  return {
    async issue(): Promise<{ challenge: string; expiresAt: number; serverTime: number }> {
      const { token, hash } = newBearer();
      const now = deps.clock.now().getTime();
      const expiresAt = now + LEGACY_POLICY.challengeTtlMs;
      await deps.store.legacy.challenges.issue(hash, expiresAt);
      return { challenge: token, expiresAt, serverTime: now };
    },

    /** Takes the challenge, or throws `challenge_invalid` (unknown, used or expired). */
    async take(challenge: string): Promise<void> {
      const taken =
        isWellFormedBearer(challenge) &&
        (await deps.store.legacy.challenges.take(sha256Hex(challenge), deps.clock.now().getTime()));
      if (!taken) {
        throw legacyError(
          'challenge_invalid',
          'The challenge is unknown, used or expired: ask for a new one.',
        );
      }
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
