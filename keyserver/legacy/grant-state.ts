import { DAY_MS, type HistoryEvent } from '../../shared/legacy';
import type { AccessRequest, LegacyGrant, Notice, NoticeKind } from '../store/legacy-ports';
import { LEGACY_POLICY } from './legacy-deps';

/**
 * A grant's life as pure functions of (grant, now) (docs/legacy.md): each returns the next grant to store with a
 * compare-and-swap, or says why not. Only the keyserver's clock counts. Every result has its `dueAt` set, so the
 * scheduler finds the grant again when the next thing falls due.
 */

export interface Step {
  grant: LegacyGrant;
  /** What happened, for the audit trail. */
  events: { event: HistoryEvent; requestId: string | null }[];
}

export type NewId = (bytes: number) => string;

/** When the owner is reminded: a day before the end, or halfway for periods under two days. */
export function remindAt(requestedAt: number, waitingDays: number): number {
  const releaseAt = requestedAt + waitingDays * DAY_MS;
  return releaseAt - Math.min(DAY_MS, (waitingDays * DAY_MS) / 2);
}

/** The next time anything falls due: an owed mail (now), the reminder, the release; null when nothing will. */
export function dueAtOf(grant: Omit<LegacyGrant, 'dueAt'>): number | null {
  if (grant.notices.length > 0) return Math.min(...grant.notices.map((n) => n.at));
  const r = grant.request;
  if (r?.state !== 'pending') return null;
  return r.remindedAt === null ? Math.min(r.remindAt, r.releaseAt) : r.releaseAt;
}

function withDue(grant: LegacyGrant): LegacyGrant {
  return { ...grant, dueAt: dueAtOf(grant) };
}

function notice(kind: NoticeKind, request: AccessRequest, now: number, newId: NewId): Notice {
  return { id: newId(8), kind, requestId: request.id, releaseAt: request.releaseAt, at: now };
}

/** The request as it stands at `now`, without storing anything: a due release counts as released. */
export function settledView(grant: LegacyGrant, now: number): AccessRequest | null {
  const r = grant.request;
  if (r?.state === 'pending' && now >= r.releaseAt && grant.revokedAt === null) {
    return { ...r, state: 'released', endedAt: r.releaseAt };
  }
  return r;
}

/**
 * What falls due by itself at `now`: the release (at exactly releaseAt, with no refusal) or else the reminder.
 * null when nothing is due.
 */
export function advance(grant: LegacyGrant, now: number, newId: NewId): Step | null {
  const r = grant.request;
  if (r?.state !== 'pending' || grant.revokedAt !== null) return null;
  if (now >= r.releaseAt) {
    const released: AccessRequest = { ...r, state: 'released', endedAt: now };
    return {
      grant: withDue({
        ...grant,
        request: released,
        notices: [
          ...grant.notices,
          notice('released', released, now, newId),
          notice('released-owner', released, now, newId),
        ],
        updatedAt: now,
      }),
      events: [{ event: 'released', requestId: r.id }],
    };
  }
  if (now >= r.remindAt && r.remindedAt === null) {
    const reminded: AccessRequest = { ...r, remindedAt: now };
    return {
      grant: withDue({
        ...grant,
        request: reminded,
        notices: [...grant.notices, notice('reminder', reminded, now, newId)],
        updatedAt: now,
      }),
      events: [{ event: 'reminded', requestId: r.id }],
    };
  }
  return null;
}

export type OpenOutcome =
  | { kind: 'opened'; step: Step }
  /** A request is pending, or released for this version: answered as it stands. */
  | { kind: 'unchanged' }
  | { kind: 'revoked' }
  | { kind: 'cooling-down'; until: number };

/** A request for access by the trusted person at `now`. */
export function openRequest(grant: LegacyGrant, now: number, newId: NewId): OpenOutcome {
  if (grant.revokedAt !== null) return { kind: 'revoked' };
  const r = grant.request;
  if (r?.state === 'pending') return { kind: 'unchanged' };
  if (r?.state === 'released' && r.grantVersion === grant.terms.version) return { kind: 'unchanged' };
  if (r?.state === 'refused' && r.endedAt !== null && now < r.endedAt + LEGACY_POLICY.refusalCooldownMs) {
    return { kind: 'cooling-down', until: r.endedAt + LEGACY_POLICY.refusalCooldownMs };
  }
  const request: AccessRequest = {
    id: newId(16),
    grantVersion: grant.terms.version,
    requestedAt: now,
    remindAt: remindAt(now, grant.terms.waitingDays),
    releaseAt: now + grant.terms.waitingDays * DAY_MS,
    remindedAt: null,
    state: 'pending',
    endedAt: null,
  };
  return {
    kind: 'opened',
    step: {
      grant: withDue({
        ...grant,
        request,
        notices: [...grant.notices, notice('requested', request, now, newId)],
        updatedAt: now,
      }),
      events: [{ event: 'requested', requestId: request.id }],
    },
  };
}

/** The owner refuses the named request; null when it is not pending (already ended, or another request). */
export function refuse(grant: LegacyGrant, requestId: string, now: number, newId: NewId): Step | null {
  const r = grant.request;
  // A release that fell due before the refusal came is a release, even if no sweep has stored it yet.
  if (r?.id !== requestId || r.state !== 'pending' || now >= r.releaseAt) return null;
  const refused: AccessRequest = { ...r, state: 'refused', endedAt: now };
  return {
    grant: withDue({
      ...grant,
      request: refused,
      notices: [...grant.notices, notice('refused', refused, now, newId)],
      updatedAt: now,
    }),
    events: [{ event: 'refused', requestId: r.id }],
  };
}

/**
 * Before the owner changes or revokes the grant: a release that fell due (even if no sweep stored it yet) stays a
 * release, as the trusted person could have fetched it at that very time; a request still pending ends, and the
 * trusted person is told.
 */
function endPending(grant: LegacyGrant, now: number, newId: NewId): Step {
  const r = grant.request;
  if (r?.state !== 'pending') return { grant, events: [] };
  const release = now >= r.releaseAt ? advance(grant, now, newId) : null;
  if (release) return release;
  const cancelled: AccessRequest = { ...r, state: 'cancelled', endedAt: now };
  return {
    grant: {
      ...grant,
      request: cancelled,
      notices: [...grant.notices, notice('cancelled', cancelled, now, newId)],
    },
    events: [{ event: 'cancelled', requestId: r.id }],
  };
}

/** Revocation: the payload is erased and a pending request ends; the grant stays as a tombstone. */
export function revoke(grant: LegacyGrant, now: number, newId: NewId): Step | null {
  if (grant.revokedAt !== null) return null;
  const ended = endPending(grant, now, newId);
  return {
    grant: withDue({ ...ended.grant, payload: null, revokedAt: now, updatedAt: now }),
    events: [...ended.events, { event: 'revoked', requestId: null }],
  };
}

/** A new version of the grant: a pending request ends (it was made for the old one). */
export function change(
  grant: LegacyGrant,
  next: Pick<LegacyGrant, 'terms' | 'termsSignature' | 'ownerKey' | 'trustedKey' | 'payload'>,
  now: number,
  newId: NewId,
): Step {
  const ended = endPending(grant, now, newId);
  return {
    grant: withDue({ ...ended.grant, ...next, updatedAt: now }),
    events: [...ended.events, { event: 'changed', requestId: null }],
  };
}

/** The grant without the notice just handed to the mail queue. */
export function withoutNotice(grant: LegacyGrant, noticeId: string): LegacyGrant {
  return withDue({ ...grant, notices: grant.notices.filter((n) => n.id !== noticeId) });
}
