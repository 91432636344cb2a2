import type { Email } from '../../shared/identity';
import { escrowLockoutMail } from '../mail/escrow-mail-texts';
import { ESCROW_POLICY as P, type EscrowDeps } from './escrow-deps';
import { escrowError } from '../../shared/escrow/escrow-api';

/**
 * Counts passphrase and recovery checks per account in the store (so the limit holds across processes), for known
 * and unknown addresses alike. A wrong passphrase fails on the client, so the server counts login *starts*
 * (docs/escrow.md, "Guess limiting"). Past the limit the account is locked, longer after each recent lockout, and the
 * holder is mailed once per lockout.
 */
export function createGuessLimit(deps: EscrowDeps) {
  const retain = P.guessMemoryMs;

  function lockoutMs(previous: number): number {
    return Math.min(P.lockoutMs * 2 ** Math.min(previous, 10), P.maxLockoutMs);
  }

  return {
    async count(address: Email): Promise<void> {
      const now = deps.clock.now().getTime();
      const state = await deps.store.escrow.guesses.hit(address, now, P.guessWindowMs, retain);
      let until = state.lockedUntil;
      if (until <= now && state.count > P.guessLimit) {
        // Lockouts long past are forgiven: the back-off grows only while the guessing goes on.
        const recent = now - state.lockedUntil < retain ? state.lockouts : 0;
        until = now + lockoutMs(recent);
        if (await deps.store.escrow.guesses.lock(address, state.lockouts, until, retain)) {
          deps.log.warn(
            { until: new Date(until).toISOString() },
            'escrow account locked after too many guesses',
          );
          deps.background.run('escrow-lockout-mail', async () => {
            if (!(await deps.store.escrow.accounts.get(address))) return;
            const mail = escrowLockoutMail({
              baseUrl: deps.config.BASE_URL,
              email: address,
              until: new Date(until),
            });
            await deps.mailQueue.enqueue({ to: address, ...mail });
          });
        }
      }
      if (until > now) {
        const seconds = Math.ceil((until - now) / 1000);
        throw escrowError(
          'locked',
          `Too many attempts; try again in ${Math.ceil(seconds / 60)} minutes.`,
          seconds,
        );
      }
    },
  };
}

export type GuessLimit = ReturnType<typeof createGuessLimit>;
