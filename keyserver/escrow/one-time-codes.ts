import type { Email } from '../../shared/identity';
import { escrowCodeMail } from '../mail/escrow-mail-texts';
import type { CodePurpose } from '../store/escrow-ports';
import { ESCROW_POLICY as P, type EscrowDeps, escrowRateRules } from './escrow-deps';
import { hashCode, newCode } from './escrow-secrets';

/**
 * One-time codes mailed to the address: 8 digits, keyed hash in the store, 15 minutes, single use, bound to address
 * and purpose; a newer code supersedes the older. The request answers the same whether or not an account exists:
 * rate limits are counted for every address, and the code is made and mailed after the response.
 */
export function createOneTimeCodes(deps: EscrowDeps) {
  const rules = escrowRateRules(deps.config);

  return {
    async request(address: Email, purpose: CodePurpose, client: { ip: string }): Promise<void> {
      await deps.limiter.enforce(rules.codeIp, client.ip);
      await deps.limiter.enforce(rules.codeAddress, address);
      deps.background.run('escrow-code-mail', async () => {
        if (purpose !== 'register' && !(await deps.store.escrow.accounts.get(address))) return;
        const now = deps.clock.now().getTime();
        const code = newCode();
        await deps.store.escrow.codes.issue({
          address,
          purpose,
          hash: hashCode(deps.codeKey, address, purpose, code),
          createdAt: now,
          expiresAt: now + P.codeTtlMs,
        });
        const mail = escrowCodeMail({
          baseUrl: deps.config.BASE_URL,
          email: address,
          purpose,
          code,
          expiresMinutes: P.codeTtlMs / 60_000,
        });
        await deps.mailQueue.enqueue({ to: address, ...mail }, { expiresAt: now + P.codeTtlMs });
      });
    },

    /** Takes the code if it is the live one for this address and purpose: true exactly once. */
    async consume(address: Email, purpose: CodePurpose, code: string): Promise<boolean> {
      const digits = code.replace(/[\s-]/g, '');
      if (!/^\d{8}$/.test(digits)) return false;
      const hash = hashCode(deps.codeKey, address, purpose, digits);
      const now = deps.clock.now().getTime();
      return deps.store.escrow.codes.consume(address, purpose, hash, now, P.codeMaxAttempts);
    },
  };
}

export type OneTimeCodes = ReturnType<typeof createOneTimeCodes>;
