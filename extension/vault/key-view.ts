import { summarizeKey, type KeySummary } from '../../shared/openpgp';
import type { ImportCandidate, VaultKey } from '../model';

/** A stored key as pages see it: public facts, lock state and when the idle lock will take it. */
export async function viewOf(
  locked: string,
  state: { isDefault: boolean; lastUsedAt: number | undefined; autoLockMs: number; now: number },
): Promise<VaultKey> {
  const s = await summarizeKey(locked, { date: new Date(state.now) });
  return {
    fingerprint: s.fingerprint,
    keyId: s.keyId,
    version: s.version,
    algorithm: s.algorithm,
    userIds: s.userIds,
    emails: s.emails,
    created: s.created,
    expires: s.expires,
    revoked: s.revoked,
    expired: s.expired,
    canEncrypt: s.canEncrypt,
    isDefault: state.isDefault,
    unlocked: state.lastUsedAt !== undefined,
    autoLockAt: state.lastUsedAt === undefined ? null : state.lastUsedAt + state.autoLockMs,
  };
}

export function candidateOf(s: KeySummary, alreadyInVault: boolean): ImportCandidate {
  return {
    fingerprint: s.fingerprint,
    userIds: s.userIds,
    algorithm: s.algorithm,
    version: s.version,
    isPrivate: s.isPrivate,
    isLocked: s.isLocked,
    alreadyInVault,
  };
}

/** `keyward-alice@example.org-public.asc`; the address keeps the file recognisable, the suffix says what it is. */
export function exportFilename(view: VaultKey, part: 'public' | 'private' | 'private-gnupg'): string {
  const who = (view.emails[0] ?? view.fingerprint.slice(-16)).replace(/[^A-Za-z0-9@._+-]/g, '_');
  return `keyward-${who}-${part}.asc`;
}
