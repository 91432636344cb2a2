import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../shared/identity';
import type { GrantClaim, LegacyAuditRecord, LegacyGrant } from './legacy-ports';
import type { Store } from './ports';

/** The digital-legacy part of the store contract (store-contract.ts runs it for every adapter). */

const T0 = Date.UTC(2100, 0, 1); // far ahead: a real server's TTL monitor never removes records mid-test
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const LEASE = 2 * MINUTE;
const owner = Email.parse('owner@example.org');
const trustedFpr = Fingerprint.parse('B'.repeat(40));

const id = (n: number) => n.toString(16).padStart(32, '0');

function grant(n: number, over: Partial<LegacyGrant> = {}): LegacyGrant {
  return {
    id: id(n),
    revision: 0,
    terms: {
      grantId: id(n),
      version: 1,
      ownerAddress: owner,
      ownerFingerprint: Fingerprint.parse('A'.repeat(40)),
      trustedAddress: Email.parse('trusted@example.org'),
      trustedFingerprint: trustedFpr,
      waitingDays: 30,
      kind: 'key',
      createdAt: T0,
      payloadSha256: 'c'.repeat(64),
    },
    termsSignature: '-----BEGIN PGP SIGNATURE-----\n...',
    ownerKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\nowner',
    trustedKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\ntrusted',
    payload: `-----BEGIN PGP MESSAGE-----\npayload ${n}`,
    createdAt: T0 + n,
    updatedAt: T0 + n,
    revokedAt: null,
    request: null,
    notices: [],
    dueAt: null,
    ...over,
  };
}

const pending = (releaseAt: number) => ({
  id: 'e'.repeat(32),
  grantVersion: 1,
  requestedAt: T0,
  remindAt: releaseAt - DAY,
  releaseAt,
  remindedAt: null,
  state: 'pending' as const,
  endedAt: null,
});

export function describeLegacyStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: the legacy store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const claim = (over: Partial<GrantClaim> = {}) =>
      store.legacy.grants.claimDue({
        now: T0 + MINUTE,
        leaseMs: LEASE,
        lease: 'lease-a',
        limit: 10,
        ...over,
      });

    describe('grants', () => {
      it('creates a grant once, at revision 1, and gives back exactly what was put', async () => {
        const g = grant(1, {
          request: pending(T0 + 30 * DAY),
          notices: [
            { id: '1'.repeat(16), kind: 'requested', requestId: 'e'.repeat(32), releaseAt: 5, at: T0 },
          ],
          dueAt: T0,
        });
        expect(await store.legacy.grants.put(g)).toBe(true);
        expect(await store.legacy.grants.put({ ...g, payload: 'another' })).toBe(false);
        expect(await store.legacy.grants.get(id(1))).toEqual({ ...g, revision: 1 });
        expect(await store.legacy.grants.get(id(2))).toBeNull();
      });

      it('changes only at the revision read (compare-and-swap), and never reuses an id', async () => {
        await store.legacy.grants.put(grant(1));
        const revoked = { ...grant(1), revision: 1, payload: null, revokedAt: T0 + 5 };
        expect(await store.legacy.grants.put(revoked)).toBe(true);
        expect(await store.legacy.grants.put({ ...revoked, payload: 'stale' })).toBe(false);
        expect(await store.legacy.grants.put({ ...grant(1), revision: 7 })).toBe(false);
        expect(await store.legacy.grants.put(grant(1))).toBe(false); // a tombstone keeps its id
        expect(await store.legacy.grants.get(id(1))).toEqual({ ...revoked, revision: 2 });
      });

      it('lets exactly one of 20 concurrent changes of one revision win', async () => {
        await store.legacy.grants.put(grant(1));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.legacy.grants.put({ ...grant(1), revision: 1, updatedAt: T0 + 100 + i }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await store.legacy.grants.get(id(1))).toMatchObject({
          revision: 2,
          updatedAt: T0 + 100 + winner,
        });
      });

      it('finds grants by owner address and by trusted fingerprint, oldest first, revoked ones too', async () => {
        const other = Fingerprint.parse('C'.repeat(64));
        await store.legacy.grants.put(grant(3));
        await store.legacy.grants.put(grant(1, { revokedAt: T0, payload: null }));
        await store.legacy.grants.put(
          grant(2, {
            terms: {
              ...grant(2).terms,
              ownerAddress: Email.parse('else@example.org'),
              trustedFingerprint: other,
            },
          }),
        );
        expect((await store.legacy.grants.byOwner(owner)).map((g) => g.id)).toEqual([id(1), id(3)]);
        expect((await store.legacy.grants.byTrusted(trustedFpr)).map((g) => g.id)).toEqual([id(1), id(3)]);
        expect((await store.legacy.grants.byTrusted(other)).map((g) => g.id)).toEqual([id(2)]);
        // A re-issue to another trusted key moves the grant to that key.
        await store.legacy.grants.put({
          ...grant(3),
          revision: 1,
          terms: { ...grant(3).terms, version: 2, trustedFingerprint: other },
        });
        expect((await store.legacy.grants.byTrusted(trustedFpr)).map((g) => g.id)).toEqual([id(1)]);
        expect((await store.legacy.grants.byTrusted(other)).map((g) => g.id)).toEqual([id(2), id(3)]);
        expect(await store.legacy.grants.byOwner(Email.parse('nobody@example.org'))).toEqual([]);
      });
    });

    describe('claims', () => {
      it('hands out due grants once, the earliest due first, at most `limit`', async () => {
        await store.legacy.grants.put(grant(1, { dueAt: T0 + 30 }));
        await store.legacy.grants.put(grant(2, { dueAt: T0 + 10 }));
        await store.legacy.grants.put(grant(3, { dueAt: T0 + 20 }));
        await store.legacy.grants.put(grant(4, { dueAt: T0 + 2 * MINUTE })); // not due yet
        await store.legacy.grants.put(grant(5)); // nothing due
        expect((await claim({ limit: 2 })).map((g) => g.id)).toEqual([id(2), id(3)]);
        expect((await claim({ lease: 'lease-b' })).map((g) => g.id)).toEqual([id(1)]);
        expect(await claim({ lease: 'lease-c' })).toEqual([]);
        expect(await claim({ lease: 'lease-d', limit: 0 })).toEqual([]);
      });

      it('claims one named grant, only when due', async () => {
        await store.legacy.grants.put(grant(1, { dueAt: T0 }));
        await store.legacy.grants.put(grant(2, { dueAt: T0 }));
        await store.legacy.grants.put(grant(3, { dueAt: T0 + DAY }));
        expect((await claim({ id: id(2) })).map((g) => g.id)).toEqual([id(2)]);
        expect(await claim({ id: id(2), lease: 'lease-b' })).toEqual([]);
        expect(await claim({ id: id(3), lease: 'lease-b' })).toEqual([]);
      });

      it('gives a grant whose worker died to the next claim once the lease ends, and a put keeps the claim', async () => {
        await store.legacy.grants.put(grant(1, { dueAt: T0 }));
        const [claimed] = await claim();
        expect(await store.legacy.grants.put({ ...claimed!, notices: [] })).toBe(true);
        expect(await claim({ now: T0 + MINUTE + LEASE - 1, lease: 'lease-b' })).toEqual([]);
        expect((await claim({ now: T0 + MINUTE + LEASE, lease: 'lease-b' })).map((g) => g.id)).toEqual([
          id(1),
        ]);
        // The old claim can no longer end it; the new one can, and then it is free again.
        expect(await store.legacy.grants.release(id(1), 'lease-a')).toBe(false);
        expect(await store.legacy.grants.release(id(1), 'lease-b')).toBe(true);
        expect((await claim({ now: T0 + MINUTE + LEASE, lease: 'lease-c' })).map((g) => g.id)).toEqual([
          id(1),
        ]);
      });

      it('20 concurrent claims of 10 due grants hand out each grant exactly once', async () => {
        for (let n = 1; n <= 10; n++) await store.legacy.grants.put(grant(n, { dueAt: T0 }));
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) => claim({ lease: `lease-${i}`, limit: 3 })),
        );
        const ids = claims.flat().map((g) => g.id);
        expect(ids).toHaveLength(10);
        expect(new Set(ids).size).toBe(10);
      });
    });

    describe('challenges', () => {
      it('takes a challenge exactly once, and only before it expires', async () => {
        await store.legacy.challenges.issue('h1', T0 + 5 * MINUTE);
        await store.legacy.challenges.issue('h2', T0 + 5 * MINUTE);
        expect(await store.legacy.challenges.take('h1', T0)).toBe(true);
        expect(await store.legacy.challenges.take('h1', T0)).toBe(false);
        expect(await store.legacy.challenges.take('h2', T0 + 5 * MINUTE)).toBe(false);
        expect(await store.legacy.challenges.take('nope', T0)).toBe(false);
      });

      it('20 concurrent takes of one challenge: one wins', async () => {
        await store.legacy.challenges.issue('h1', T0 + 5 * MINUTE);
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.legacy.challenges.take('h1', T0)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('forgets expired challenges', async () => {
        await store.legacy.challenges.issue('h1', T0 + MINUTE);
        await store.legacy.challenges.issue('h2', T0 + 2 * MINUTE);
        expect(await store.legacy.deleteExpired(T0 + MINUTE)).toBe(1);
        expect(await store.legacy.challenges.take('h2', T0)).toBe(true);
      });
    });

    describe('audit', () => {
      it('lists a grant’s entries, the latest first, at most `limit`', async () => {
        const entry = (at: number, over: Partial<LegacyAuditRecord> = {}): LegacyAuditRecord => ({
          grantId: id(1),
          at,
          event: 'requested',
          actor: 'trusted',
          proof: 'signature',
          client: '203.0.113.7',
          requestId: 'e'.repeat(32),
          ...over,
        });
        await store.legacy.audit.record(entry(T0, { event: 'created', actor: 'owner', requestId: null }));
        await store.legacy.audit.record(entry(T0 + 1));
        await store.legacy.audit.record(
          entry(T0 + 1, { event: 'reminded', actor: 'keyserver', proof: null, client: null }),
        );
        await store.legacy.audit.record(entry(T0 + 2, { grantId: id(2) }));
        expect(await store.legacy.audit.list(id(1), 10)).toEqual([
          entry(T0 + 1, { event: 'reminded', actor: 'keyserver', proof: null, client: null }),
          entry(T0 + 1),
          entry(T0, { event: 'created', actor: 'owner', requestId: null }),
        ]);
        expect((await store.legacy.audit.list(id(1), 1)).map((e) => e.event)).toEqual(['reminded']);
        expect(await store.legacy.audit.list(id(1), 0)).toEqual([]);
      });
    });
  });
}
