import { createEscrowAccounts, type EscrowAccounts } from './escrow-accounts';
import type { EscrowDeps } from './escrow-deps';
import { createGuessLimit } from './guess-limit';
import { createOneTimeCodes, type OneTimeCodes } from './one-time-codes';
import { createOpaqueLogin, type OpaqueLogin } from './opaque-login';
import { createRecovery, type Recovery } from './recovery';
import { createRelay, type Relay } from './relay';
import { createSessions, type Sessions } from './sessions';

/** The escrow's use cases (docs/escrow.md), shared by its routes. */
export interface Escrow {
  codes: OneTimeCodes;
  login: OpaqueLogin;
  sessions: Sessions;
  accounts: EscrowAccounts;
  recovery: Recovery;
  relay: Relay;
  deps: EscrowDeps;
}

export function createEscrow(deps: EscrowDeps): Escrow {
  const guesses = createGuessLimit(deps);
  const codes = createOneTimeCodes(deps);
  const sessions = createSessions(deps);
  const login = createOpaqueLogin(deps, guesses, sessions);
  return {
    codes,
    login,
    sessions,
    accounts: createEscrowAccounts(deps, codes, login),
    recovery: createRecovery(deps, guesses, codes, sessions),
    relay: createRelay(deps),
    deps,
  };
}
