import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../shared/identity';
import type { EscrowAccount } from './escrow-ports';
import type { Store } from './ports';

/** The escrow part of the store contract (store-contract.ts runs it for every adapter). */

const T0 = Date.UTC(2100, 0, 1); // far ahead: a real server's TTL monitor never removes records mid-test
const MINUTE = 60_000;
const alice = Email.parse('alice@example.org');
const bob = Email.parse('bob@example.org');

function account(address: Email, over: Partial<EscrowAccount> = {}): Omit<EscrowAccount, 'version'> {
  return {
    address,
    registrationRecord: 'record-1',
    profile: 'argon2id-256m',
    fingerprint: Fingerprint.parse('A'.repeat(64)),
    escrow: '-----BEGIN PGP MESSAGE-----\n...',
    recoveryVerifierHash: 'f'.repeat(64),
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function describeEscrowStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: the escrow store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('accounts', () => {
      it('creates an account once, at version 1, with its first device', async () => {
        expect(await store.escrow.accounts.create(account(alice), 'dev1')).toBe(true);
        expect(await store.escrow.accounts.create(account(alice, { escrow: 'other' }), 'dev2')).toBe(false);
        expect(await store.escrow.accounts.get(alice)).toEqual({ ...account(alice), version: 1 });
        expect(await store.escrow.accounts.get(bob)).toBeNull();
        expect(await store.escrow.accounts.hasDevice(alice, 'dev1')).toBe(true);
        expect(await store.escrow.accounts.hasDevice(alice, 'dev2')).toBe(false);
      });

      it('updates only at the expected version (compare-and-swap) and keeps unchanged fields', async () => {
        await store.escrow.accounts.create(account(alice), 'dev1');
        const change = { escrow: 'new escrow', registrationRecord: 'record-2', updatedAt: T0 + 1 };
        expect(await store.escrow.accounts.update(alice, 1, change)).toBe(2);
        expect(
          await store.escrow.accounts.update(alice, 1, { escrow: 'stale', updatedAt: T0 + 2 }),
        ).toBeNull();
        expect(await store.escrow.accounts.update(bob, 1, { escrow: 'x', updatedAt: T0 })).toBeNull();
        expect(await store.escrow.accounts.get(alice)).toEqual({
          ...account(alice),
          escrow: 'new escrow',
          registrationRecord: 'record-2',
          updatedAt: T0 + 1,
          version: 2,
        });
      });

      it('lets exactly one of 20 concurrent updates of one version win', async () => {
        await store.escrow.accounts.create(account(alice), 'dev1');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.escrow.accounts.update(alice, 1, { escrow: `w${i}`, updatedAt: T0 + i }),
          ),
        );
        expect(results.filter((v) => v !== null)).toEqual([2]);
        const winner = results.findIndex((v) => v !== null);
        expect(await store.escrow.accounts.get(alice)).toMatchObject({ escrow: `w${winner}`, version: 2 });
      });

      it('adds devices to existing accounts only, and deletes an account with its devices and releases', async () => {
        await store.escrow.accounts.create(account(alice), 'dev1');
        expect(await store.escrow.accounts.addDevice(alice, 'dev2', T0)).toBe(true);
        expect(await store.escrow.accounts.addDevice(bob, 'dev3', T0)).toBe(false);
        expect(await store.escrow.accounts.hasDevice(alice, 'dev2')).toBe(true);
        const release = {
          address: alice,
          at: T0,
          kind: 'passphrase',
          client: '192.0.2.1',
          newDevice: true,
        } as const;
        await store.escrow.releases.record(release);
        await store.escrow.releases.record({ ...release, at: T0 + 1, kind: 'recovery', newDevice: false });
        expect(await store.escrow.releases.list(alice)).toEqual([
          release,
          { ...release, at: T0 + 1, kind: 'recovery', newDevice: false },
        ]);
        expect(await store.escrow.accounts.delete(alice)).toBe(true);
        expect(await store.escrow.accounts.delete(alice)).toBe(false);
        expect(await store.escrow.accounts.hasDevice(alice, 'dev1')).toBe(false);
        expect(await store.escrow.releases.list(alice)).toEqual([]);
        expect(await store.escrow.accounts.create(account(alice), 'dev9')).toBe(true);
        expect(await store.escrow.accounts.hasDevice(alice, 'dev2')).toBe(false);
      });
    });

    describe('one-time codes', () => {
      const code = (hash: string, over = {}) => ({
        address: alice,
        purpose: 'release' as const,
        hash,
        createdAt: T0,
        expiresAt: T0 + 15 * MINUTE,
        ...over,
      });

      it('takes a code once, for its address and purpose only', async () => {
        await store.escrow.codes.issue(code('h1'));
        expect(await store.escrow.codes.consume(alice, 'recover', 'h1', T0, 5)).toBe(false);
        expect(await store.escrow.codes.consume(bob, 'release', 'h1', T0, 5)).toBe(false);
        expect(await store.escrow.codes.consume(alice, 'release', 'h1', T0, 5)).toBe(true);
        expect(await store.escrow.codes.consume(alice, 'release', 'h1', T0, 5)).toBe(false);
      });

      it('refuses an expired code, and a newer code supersedes the older', async () => {
        await store.escrow.codes.issue(code('h1'));
        expect(await store.escrow.codes.consume(alice, 'release', 'h1', T0 + 15 * MINUTE, 5)).toBe(false);
        await store.escrow.codes.issue(code('h2'));
        await store.escrow.codes.issue(code('h3', { createdAt: T0 + 1 }));
        expect(await store.escrow.codes.consume(alice, 'release', 'h2', T0, 5)).toBe(false);
        expect(await store.escrow.codes.consume(alice, 'release', 'h3', T0, 5)).toBe(true);
      });

      it('voids a code after too many wrong guesses', async () => {
        await store.escrow.codes.issue(code('right'));
        for (let i = 0; i < 3; i++)
          expect(await store.escrow.codes.consume(alice, 'release', 'x', T0, 3)).toBe(false);
        expect(await store.escrow.codes.consume(alice, 'release', 'right', T0, 3)).toBe(false);
      });

      it('50 parallel consumes of one code give exactly one winner', async () => {
        await store.escrow.codes.issue(code('h1'));
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.escrow.codes.consume(alice, 'release', 'h1', T0, 5)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    it('hands a login state out once, and never after it expired', async () => {
      const state = { hash: 'l1', address: alice, serverLoginState: 'state', expiresAt: T0 + 2 * MINUTE };
      await store.escrow.logins.put(state);
      await store.escrow.logins.put({ ...state, hash: 'l2' });
      expect(await store.escrow.logins.take('l1', T0)).toEqual(state);
      expect(await store.escrow.logins.take('l1', T0)).toBeNull();
      expect(await store.escrow.logins.take('l2', T0 + 2 * MINUTE)).toBeNull();
    });

    it('finds live sessions until they expire or are revoked', async () => {
      const s = { hash: 's1', kind: 'session' as const, address: alice, expiresAt: T0 + 5 * MINUTE };
      await store.escrow.sessions.issue(s);
      await store.escrow.sessions.issue({ ...s, hash: 's2', kind: 'recovery' });
      await store.escrow.sessions.issue({ ...s, hash: 's3', address: bob });
      expect(await store.escrow.sessions.find('s1', T0)).toEqual(s);
      expect(await store.escrow.sessions.find('s2', T0)).toMatchObject({ kind: 'recovery' });
      expect(await store.escrow.sessions.find('s1', T0 + 5 * MINUTE)).toBeNull();
      await store.escrow.sessions.revoke('s1');
      expect(await store.escrow.sessions.find('s1', T0)).toBeNull();
      await store.escrow.sessions.revokeAll(alice);
      expect(await store.escrow.sessions.find('s2', T0)).toBeNull();
      expect(await store.escrow.sessions.find('s3', T0)).not.toBeNull();
    });

    describe('guess counters', () => {
      const WINDOW = 15 * MINUTE;
      it('counts guesses in a window that starts at the first guess, per address', async () => {
        expect(await store.escrow.guesses.hit(alice, T0 + 5, WINDOW, WINDOW)).toEqual({
          count: 1,
          windowStart: T0 + 5,
          lockedUntil: 0,
          lockouts: 0,
        });
        expect((await store.escrow.guesses.hit(alice, T0 + WINDOW + 4, WINDOW, WINDOW)).count).toBe(2);
        expect((await store.escrow.guesses.hit(bob, T0 + 6, WINDOW, WINDOW)).count).toBe(1);
        expect(await store.escrow.guesses.hit(alice, T0 + WINDOW + 5, WINDOW, WINDOW)).toMatchObject({
          count: 1,
          windowStart: T0 + WINDOW + 5,
        });
      });

      it('counts every one of 50 parallel guesses', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.escrow.guesses.hit(alice, T0, WINDOW, WINDOW)),
        );
        expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      });

      it('starts a lockout once per lockout count, even when several try at once', async () => {
        await store.escrow.guesses.hit(alice, T0, WINDOW, WINDOW);
        const won = await Promise.all(
          Array.from({ length: 10 }, () => store.escrow.guesses.lock(alice, 0, T0 + WINDOW, WINDOW)),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        expect(await store.escrow.guesses.hit(alice, T0 + 1, WINDOW, WINDOW)).toEqual({
          count: 2,
          windowStart: T0,
          lockedUntil: T0 + WINDOW,
          lockouts: 1,
        });
        expect(await store.escrow.guesses.lock(alice, 0, T0 + 2 * WINDOW, WINDOW)).toBe(false);
        expect(await store.escrow.guesses.lock(bob, 0, T0 + WINDOW, WINDOW)).toBe(false); // no counter yet
      });
    });

    describe('relay', () => {
      const channel = '0123456789abcdef0123456789abcdef';
      it('hands a message out once, and refuses a second write to its slot', async () => {
        expect(await store.escrow.relay.put(channel, 'offer', 'p1', T0, T0 + 10 * MINUTE)).toBe(true);
        expect(await store.escrow.relay.put(channel, 'offer', 'p2', T0, T0 + 10 * MINUTE)).toBe(false);
        expect(await store.escrow.relay.take(channel, 'reply', T0)).toBeNull();
        expect(await store.escrow.relay.take(channel, 'offer', T0)).toBe('p1');
        expect(await store.escrow.relay.take(channel, 'offer', T0)).toBeNull();
        expect(await store.escrow.relay.put(channel, 'offer', 'p3', T0, T0 + 10 * MINUTE)).toBe(false);
      });

      it('forgets a message when it expires, and the slot may then be written again', async () => {
        await store.escrow.relay.put(channel, 'reply', 'p1', T0, T0 + 10 * MINUTE);
        expect(await store.escrow.relay.take(channel, 'reply', T0 + 10 * MINUTE)).toBeNull();
        expect(await store.escrow.relay.put(channel, 'reply', 'p2', T0 + 10 * MINUTE, T0 + 20 * MINUTE)).toBe(
          true,
        );
        expect(await store.escrow.relay.take(channel, 'reply', T0 + 10 * MINUTE)).toBe('p2');
      });

      it('lets exactly one of 20 parallel writes to a slot win', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.escrow.relay.put(channel, 'offer', `p${i}`, T0, T0 + MINUTE),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    it('deletes expired codes, logins, sessions, counters and relay messages', async () => {
      const until = T0 + MINUTE;
      await store.escrow.codes.issue({
        address: alice,
        purpose: 'register',
        hash: 'c',
        createdAt: T0,
        expiresAt: until,
      });
      await store.escrow.logins.put({ hash: 'l', address: alice, serverLoginState: 's', expiresAt: until });
      await store.escrow.sessions.issue({ hash: 's', kind: 'session', address: alice, expiresAt: until });
      await store.escrow.guesses.hit(alice, T0, MINUTE, MINUTE);
      await store.escrow.relay.put('0'.repeat(32), 'offer', 'p', T0, until);
      await store.escrow.sessions.issue({
        hash: 'live',
        kind: 'session',
        address: alice,
        expiresAt: until + 1,
      });
      expect(await store.escrow.deleteExpired(until - 1)).toBe(0);
      expect(await store.escrow.deleteExpired(until)).toBe(5);
      expect(await store.escrow.sessions.find('live', until)).not.toBeNull();
    });
  });
}
