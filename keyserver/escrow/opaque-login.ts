import * as opaque from '@serenity-kit/opaque';
import { invalidInput } from '../../shared/errors';
import type { Email } from '../../shared/identity';
import { ESCROW_POLICY as P, type EscrowDeps, escrowRateRules } from './escrow-deps';
import { escrowError } from '../../shared/escrow/escrow-api';
import { isWellFormedBearer, newBearer, sha256Hex } from './escrow-secrets';
import type { GuessLimit } from './guess-limit';
import type { Sessions } from './sessions';

/**
 * OPAQUE (RFC 9807) registration and login with @serenity-kit/opaque; the user identifier is the normalised address.
 * The server never sees the passphrase, and what it stores (the registration record) checks no guess without the
 * server setup. Unknown addresses get a login response made from no record, which looks like any other.
 */
export function createOpaqueLogin(deps: EscrowDeps, guesses: GuessLimit, sessions: Sessions) {
  const serverSetup = deps.opaqueSetup;
  const rules = escrowRateRules(deps.config);
  // A well-formed login start, to check that an uploaded registration record can be used before storing it.
  const probe = opaque.client.startLogin({ password: 'probe' }).startLoginRequest;

  /** Runs an OPAQUE step on client input; the library throws on malformed input, which is the client's fault. */
  function parsing<T>(what: string, step: () => T): T {
    try {
      return step();
    } catch {
      throw invalidInput(`The ${what} is not valid OPAQUE data.`);
    }
  }

  return {
    /**
     * Stateless, but limited per address: with a stolen database, unlimited registration starts would evaluate the
     * account's OPRF on any passphrase guess, an oracle around the login guess limit (see docs/escrow.md).
     */
    async registrationResponse(address: Email, registrationRequest: string): Promise<string> {
      await deps.limiter.enforce(rules.registerAddress, address);
      return parsing('registration request', () =>
        opaque.server.createRegistrationResponse({
          serverSetup,
          userIdentifier: address,
          registrationRequest,
        }),
      ).registrationResponse;
    },

    /** Throws invalid_input unless `record` is a usable OPAQUE registration record. */
    checkRecord(address: Email, registrationRecord: string): void {
      parsing('registration record', () =>
        opaque.server.startLogin({
          serverSetup,
          userIdentifier: address,
          registrationRecord,
          startLoginRequest: probe,
        }),
      );
    },

    async start(address: Email, startLoginRequest: string) {
      await guesses.count(address);
      const account = await deps.store.escrow.accounts.get(address);
      const { loginResponse, serverLoginState } = parsing('login request', () =>
        opaque.server.startLogin({
          serverSetup,
          userIdentifier: address,
          registrationRecord: account?.registrationRecord ?? null,
          startLoginRequest,
        }),
      );
      const { token: loginId, hash } = newBearer();
      const expiresAt = deps.clock.now().getTime() + P.loginTtlMs;
      await deps.store.escrow.logins.put({ hash, address, serverLoginState, expiresAt });
      return { loginId, loginResponse, profile: account?.profile ?? P.defaultProfile };
    },

    async finish(
      loginId: string,
      finishLoginRequest: string,
    ): Promise<{ sessionToken: string; expiresAt: number }> {
      const failed = () => escrowError('login_failed', 'The login failed: check the address and passphrase.');
      if (!isWellFormedBearer(loginId)) throw failed();
      const state = await deps.store.escrow.logins.take(sha256Hex(loginId), deps.clock.now().getTime());
      if (!state) throw failed();
      try {
        opaque.server.finishLogin({ serverLoginState: state.serverLoginState, finishLoginRequest });
      } catch {
        throw failed();
      }
      // Only a real record lets a client finish; check anyway in case the account was deleted meanwhile.
      if (!(await deps.store.escrow.accounts.get(state.address))) throw failed();
      const { token, expiresAt } = await sessions.issue(state.address, 'session');
      return { sessionToken: token, expiresAt };
    },
  };
}

export type OpaqueLogin = ReturnType<typeof createOpaqueLogin>;
