import type { Email } from '../../shared/identity';
import type { EscrowSession, SessionKind } from '../store/escrow-ports';
import { ESCROW_POLICY as P, type EscrowDeps } from './escrow-deps';
import { escrowError } from '../../shared/escrow/escrow-api';
import { isWellFormedBearer, newBearer, sha256Hex } from './escrow-secrets';

/** Short-lived bearer tokens: `session` after an OPAQUE login, `recovery` after a recovery; hashed in the store. */
export function createSessions(deps: EscrowDeps) {
  return {
    async issue(address: Email, kind: SessionKind): Promise<{ token: string; expiresAt: number }> {
      const { token, hash } = newBearer();
      const expiresAt = deps.clock.now().getTime() + P.sessionTtlMs;
      await deps.store.escrow.sessions.issue({ hash, kind, address, expiresAt });
      return { token, expiresAt };
    },

    /** The live session named by an `Authorization: Bearer` header, of one of the allowed kinds. */
    async authenticate(header: string | undefined, kinds: SessionKind[]): Promise<EscrowSession> {
      const token = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? '')?.[1];
      const session =
        token && isWellFormedBearer(token)
          ? await deps.store.escrow.sessions.find(sha256Hex(token), deps.clock.now().getTime())
          : null;
      if (!session || !kinds.includes(session.kind)) {
        throw escrowError('unauthorized', 'Log in again: the session is missing, wrong or expired.');
      }
      return session;
    },

    revoke: (session: EscrowSession) => deps.store.escrow.sessions.revoke(session.hash),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
