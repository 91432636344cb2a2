import { describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../shared/identity';
import type { LegacyGrant } from '../store/legacy-ports';
import { advance, change, dueAtOf, openRequest, refuse, remindAt, revoke, settledView } from './grant-state';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let counter = 0;
const newId = (bytes: number) => (++counter).toString(16).padStart(bytes * 2, '0');

function grant(waitingDays = 10): LegacyGrant {
  return {
    id: 'a'.repeat(32),
    revision: 3,
    terms: {
      grantId: 'a'.repeat(32),
      version: 1,
      ownerAddress: Email.parse('owner@example.org'),
      ownerFingerprint: Fingerprint.parse('A'.repeat(40)),
      trustedAddress: Email.parse('trusted@example.org'),
      trustedFingerprint: Fingerprint.parse('B'.repeat(40)),
      waitingDays,
      kind: 'key',
      createdAt: T0,
      payloadSha256: 'c'.repeat(64),
    },
    termsSignature: 'sig',
    ownerKey: 'owner',
    trustedKey: 'trusted',
    payload: 'payload',
    createdAt: T0,
    updatedAt: T0,
    revokedAt: null,
    request: null,
    notices: [],
    dueAt: null,
  };
}

/** A grant with a request opened at T0 and its first mail sent. */
function requested(waitingDays = 10): LegacyGrant {
  const opened = openRequest(grant(waitingDays), T0, newId);
  if (opened.kind !== 'opened') throw new Error('not opened');
  const g = { ...opened.step.grant, notices: [] };
  return { ...g, dueAt: dueAtOf(g) };
}

describe('grant state', () => {
  it('reminds a day before the end, or halfway when the period is shorter than two days', () => {
    expect(remindAt(T0, 30)).toBe(T0 + 29 * DAY);
    expect(remindAt(T0, 2)).toBe(T0 + DAY);
    expect(remindAt(T0, 1)).toBe(T0 + 12 * HOUR);
  });

  it('a request releases at requestedAt + the period on the server clock, owes the owner a mail at once', () => {
    const opened = openRequest(grant(10), T0, newId);
    expect(opened.kind).toBe('opened');
    if (opened.kind !== 'opened') return;
    const g = opened.step.grant;
    expect(g.request).toMatchObject({
      state: 'pending',
      requestedAt: T0,
      releaseAt: T0 + 10 * DAY,
      grantVersion: 1,
    });
    expect(g.notices.map((n) => n.kind)).toEqual(['requested']);
    expect(g.dueAt).toBe(T0);
    expect(opened.step.events).toEqual([{ event: 'requested', requestId: g.request!.id }]);
  });

  it('an early moment yields nothing; the reminder comes once; the release exactly at the end', () => {
    const g = requested(10);
    expect(g.dueAt).toBe(T0 + 9 * DAY);
    expect(advance(g, T0 + 9 * DAY - 1, newId)).toBeNull();
    const reminded = advance(g, T0 + 9 * DAY, newId)!;
    expect(reminded.grant.notices.map((n) => n.kind)).toEqual(['reminder']);
    const quiet = { ...reminded.grant, notices: [] };
    expect(dueAtOf(quiet)).toBe(T0 + 10 * DAY);
    expect(advance(quiet, T0 + 10 * DAY - 1, newId)).toBeNull();
    expect(settledView(quiet, T0 + 10 * DAY - 1)?.state).toBe('pending');
    expect(settledView(quiet, T0 + 10 * DAY)?.state).toBe('released');
    const released = advance(quiet, T0 + 10 * DAY, newId)!;
    expect(released.grant.request).toMatchObject({ state: 'released', endedAt: T0 + 10 * DAY });
    expect(released.grant.notices.map((n) => n.kind)).toEqual(['released', 'released-owner']);
    expect(dueAtOf({ ...released.grant, notices: [] })).toBeNull();
  });

  it('a refusal ends the request before the end, and is too late after it', () => {
    const g = requested(10);
    const id = g.request!.id;
    expect(refuse(g, 'f'.repeat(32), T0 + DAY, newId)).toBeNull();
    expect(refuse(g, id, T0 + 10 * DAY, newId)).toBeNull();
    const refused = refuse(g, id, T0 + 10 * DAY - 1, newId)!;
    expect(refused.grant.request).toMatchObject({ state: 'refused', endedAt: T0 + 10 * DAY - 1 });
    expect(refused.grant.notices.map((n) => n.kind)).toEqual(['refused']);
    expect(advance({ ...refused.grant, notices: [] }, T0 + 100 * DAY, newId)).toBeNull();
    expect(settledView(refused.grant, T0 + 100 * DAY)?.state).toBe('refused');
  });

  it('after a refusal a new request waits a week; a pending or released one is answered as it stands', () => {
    const g = requested(10);
    const refused = { ...refuse(g, g.request!.id, T0 + DAY, newId)!.grant, notices: [] };
    expect(openRequest(refused, T0 + 8 * DAY - 1, newId)).toEqual({
      kind: 'cooling-down',
      until: T0 + 8 * DAY,
    });
    expect(openRequest(refused, T0 + 8 * DAY, newId).kind).toBe('opened');
    expect(openRequest(g, T0 + DAY, newId)).toEqual({ kind: 'unchanged' });
    const released = advance(g, T0 + 10 * DAY, newId)!.grant;
    expect(openRequest(released, T0 + 11 * DAY, newId)).toEqual({ kind: 'unchanged' });
  });

  it('a revocation erases the payload, ends a pending request and releases nothing later', () => {
    const g = requested(10);
    const revoked = revoke(g, T0 + DAY, newId)!;
    expect(revoked.grant).toMatchObject({ payload: null, revokedAt: T0 + DAY });
    expect(revoked.grant.request).toMatchObject({ state: 'cancelled' });
    expect(revoked.grant.notices.map((n) => n.kind)).toEqual(['cancelled']);
    expect(revoked.events.map((e) => e.event)).toEqual(['cancelled', 'revoked']);
    expect(advance(revoked.grant, T0 + 100 * DAY, newId)).toBeNull();
    expect(settledView(revoked.grant, T0 + 100 * DAY)?.state).toBe('cancelled');
    expect(revoke(revoked.grant, T0 + 2 * DAY, newId)).toBeNull();
    expect(openRequest(revoked.grant, T0 + 2 * DAY, newId)).toEqual({ kind: 'revoked' });
  });

  it('a change cancels a pending request; one whose release fell due stays released', () => {
    const g = requested(10);
    const next = {
      terms: { ...g.terms, version: 2 },
      termsSignature: 's2',
      ownerKey: 'o',
      trustedKey: 't',
      payload: 'p2',
    };
    const changed = change(g, next, T0 + DAY, newId);
    expect(changed.grant.request).toMatchObject({ state: 'cancelled' });
    expect(changed.grant.terms.version).toBe(2);
    expect(changed.events.map((e) => e.event)).toEqual(['cancelled', 'changed']);
    const late = change(g, next, T0 + 10 * DAY, newId);
    expect(late.grant.request).toMatchObject({ state: 'released', grantVersion: 1 });
    expect(late.events.map((e) => e.event)).toEqual(['released', 'changed']);
    // The released request was for version 1: version 2 may be asked for anew.
    expect(openRequest({ ...late.grant, notices: [] }, T0 + 10 * DAY, newId).kind).toBe('opened');
  });
});
