import type { Email } from '../../shared/identity';
import { type EscrowDeps } from './escrow-deps';
import { mailRelease } from './escrow-accounts';
import { escrowError } from '../../shared/escrow/escrow-api';
import { newBearer, sameDigest, sha256Hex } from './escrow-secrets';
import type { GuessLimit } from './guess-limit';
import type { OneTimeCodes } from './one-time-codes';
import type { Sessions } from './sessions';

/**
 * Recovery with the recovery code: the client proves it with an auth value derived from the phrase (the store
 * holds only its SHA-256) plus a mailed "recover" code, counted against the account's guess limit. Every failure
 * answers alike, whether the address, the auth value or the code was wrong.
 */
export function createRecovery(
  deps: EscrowDeps,
  guesses: GuessLimit,
  codes: OneTimeCodes,
  sessions: Sessions,
) {
  return {
    async recover(address: Email, recoveryAuth: string, code: string, client: { ip: string }) {
      await guesses.count(address);
      const codeOk = await codes.consume(address, 'recover', code);
      const account = await deps.store.escrow.accounts.get(address);
      const authOk = sameDigest(sha256Hex(recoveryAuth), account?.recoveryVerifierHash ?? '');
      if (!account || !codeOk || !authOk) {
        throw escrowError('recovery_failed', 'Recovery failed: check the recovery code and the mailed code.');
      }
      const device = newBearer();
      await deps.store.escrow.accounts.addDevice(address, device.hash, deps.clock.now().getTime());
      const { token } = await sessions.issue(address, 'recovery');
      await deps.store.escrow.releases.record({
        address,
        at: deps.clock.now().getTime(),
        kind: 'recovery',
        client: client.ip,
        newDevice: true,
      });
      mailRelease(deps, account, 'recovery');
      return {
        recoveryToken: token,
        escrow: account.escrow,
        version: account.version,
        profile: account.profile,
        fingerprint: account.fingerprint,
        deviceToken: device.token,
      };
    },
  };
}

export type Recovery = ReturnType<typeof createRecovery>;
