import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import { wkdHash } from '../../shared/wkd';
import { describeEscrowStoreContract } from './escrow-store-contract';
import { describeLegacyStoreContract } from './legacy-store-contract';
import { describeMailQueueStoreContract } from './mail-queue-store-contract';
import type { Binding, Store, StoredKey, TokenRecord } from './ports';

/**
 * The one behaviour every store adapter must show (docs/architecture.md, "Conventions"). Each adapter's test file
 * calls this with a factory that returns a fresh, empty store; the suite closes it after each test.
 */

// Far in the future so a real server's TTL monitor (MongoDB) never removes test records in the middle of a test.
// A multiple of every window used below, so windows start exactly here.
const T0 = Date.UTC(2100, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Distinct pads keep every derived key id (low 64 bits for v4, high 64 bits for v6) apart from keyId(n).
const fpr = (n: number, version: 4 | 6 = 4) =>
  Fingerprint.parse(
    version === 6 ? n.toString(16).padStart(8, '0').padEnd(64, 'C') : n.toString(16).padStart(40, 'A'),
  );
const keyId = (n: number) => KeyId.parse(n.toString(16).padStart(16, 'D'));
const email = (local: string) => Email.parse(`${local}@example.org`);

/** What a store returns after one successful put of `key`. */
function asStored(key: StoredKey): StoredKey {
  return { ...key, revision: key.revision + 1 };
}

function storedKey(n: number, over: Partial<StoredKey> = {}): StoredKey {
  const fingerprint = over.fingerprint ?? fpr(n, over.version);
  return {
    fingerprint,
    version: Fingerprint.version(fingerprint),
    keyIds: [Fingerprint.keyId(fingerprint), keyId(n)],
    emails: [email(`user${n}`)],
    packets: Uint8Array.from({ length: 64 + n }, (_, i) => (i * 7 + n) & 0xff),
    createdAt: T0,
    updatedAt: T0,
    expiresAt: null,
    revision: 0,
    ...over,
  };
}

function token(hash: string, over: Partial<TokenRecord> = {}): TokenRecord {
  return {
    hash,
    purpose: 'verify',
    email: email('alice'),
    fingerprint: fpr(1),
    createdAt: T0,
    expiresAt: T0 + HOUR,
    ...over,
  };
}

export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describeEscrowStoreContract(name, makeStore);
  describeMailQueueStoreContract(name, makeStore);
  describeLegacyStoreContract(name, makeStore);
  describe(`${name}: the store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('keys', () => {
      it('returns a stored v4 or v6 key exactly as put, and null for an unknown one', async () => {
        const v4 = storedKey(1, { expiresAt: T0 + HOUR, updatedAt: T0 + 5 });
        const v6 = storedKey(2, { version: 6, emails: [email('a'), email('b')] });
        await store.keys.putKey(v4);
        await store.keys.putKey(v6);
        expect(await store.keys.getKey(v4.fingerprint)).toEqual(asStored(v4));
        expect(await store.keys.getKey(v6.fingerprint)).toEqual(asStored(v6));
        expect((await store.keys.getKey(v6.fingerprint))!.packets).toBeInstanceOf(Uint8Array);
        expect(await store.keys.getKey(fpr(3))).toBeNull();
      });

      it('replaces a key with the same fingerprint, including its key ids', async () => {
        await store.keys.putKey(storedKey(1));
        const updated = storedKey(1, {
          keyIds: [Fingerprint.keyId(fpr(1)), keyId(99)],
          emails: [email('new')],
          packets: new Uint8Array([1, 2, 3]),
          updatedAt: T0 + 1,
          expiresAt: T0 + HOUR,
          revision: 1,
        });
        expect(await store.keys.putKey(updated)).toBe(true);
        expect(await store.keys.getKey(fpr(1))).toEqual(asStored(updated));
        expect(await store.keys.findByKeyId(keyId(1))).toEqual([]);
        expect(await store.keys.findByKeyId(keyId(99))).toEqual([asStored(updated)]);
        expect(await store.keys.countKeys()).toBe(1);
      });

      it('finds a key by its primary key id and by a subkey id', async () => {
        const key = storedKey(1);
        await store.keys.putKey(key);
        await store.keys.putKey(storedKey(2));
        expect(await store.keys.findByKeyId(Fingerprint.keyId(key.fingerprint))).toEqual([asStored(key)]);
        expect(await store.keys.findByKeyId(keyId(1))).toEqual([asStored(key)]);
        expect(await store.keys.findByKeyId(keyId(3))).toEqual([]);
      });

      it('returns both keys when two share a key id (a collision), in fingerprint order', async () => {
        const a = storedKey(1, { keyIds: [Fingerprint.keyId(fpr(1)), keyId(7)] });
        const b = storedKey(2, { keyIds: [Fingerprint.keyId(fpr(2)), keyId(7)] });
        await store.keys.putKey(b);
        await store.keys.putKey(a);
        expect(await store.keys.findByKeyId(keyId(7))).toEqual([asStored(a), asStored(b)]);
      });

      it('writes a key only at the revision it was read at (compare-and-swap)', async () => {
        expect(await store.keys.putKey(storedKey(1))).toBe(true);
        expect(await store.keys.putKey(storedKey(1))).toBe(false); // "new" again, but it exists
        const read = (await store.keys.getKey(fpr(1)))!;
        expect(read.revision).toBe(1);
        expect(await store.keys.putKey({ ...read, emails: [email('first')] })).toBe(true);
        // A second writer that read the same revision loses and must re-read.
        expect(await store.keys.putKey({ ...read, emails: [email('second')] })).toBe(false);
        expect((await store.keys.getKey(fpr(1)))!).toMatchObject({ emails: [email('first')], revision: 2 });
      });

      it('lets exactly one of many concurrent writers of one revision win', async () => {
        await store.keys.putKey(storedKey(1));
        const read = (await store.keys.getKey(fpr(1)))!;
        const wins = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.keys.putKey({ ...read, emails: [email(`w${i}`)] })),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await store.keys.getKey(fpr(1)))!.revision).toBe(2);
      });

      it('deletes a key and its key ids, once', async () => {
        await store.keys.putKey(storedKey(1));
        expect(await store.keys.deleteKey(fpr(1))).toBe(true);
        expect(await store.keys.deleteKey(fpr(1))).toBe(false);
        expect(await store.keys.getKey(fpr(1))).toBeNull();
        expect(await store.keys.findByKeyId(keyId(1))).toEqual([]);
        expect(await store.keys.countKeys()).toBe(0);
      });

      it('forgets unverified uploads once expired and keeps published (null) and still-valid ones', async () => {
        await store.keys.putKey(storedKey(1, { expiresAt: T0 + MINUTE }));
        await store.keys.putKey(storedKey(2, { expiresAt: T0 + 2 * MINUTE }));
        await store.keys.putKey(storedKey(3, { expiresAt: null }));
        expect(await store.keys.deleteExpiredKeys(T0 + MINUTE - 1)).toBe(0);
        expect(await store.keys.deleteExpiredKeys(T0 + MINUTE)).toBe(1);
        expect(await store.keys.getKey(fpr(1))).toBeNull();
        expect(await store.keys.findByKeyId(keyId(1))).toEqual([]);
        expect(await store.keys.getKey(fpr(2))).not.toBeNull();
        expect(await store.keys.deleteExpiredKeys(T0 + 10 * HOUR)).toBe(1);
        expect(await store.keys.getKey(fpr(3))).not.toBeNull();
        expect(await store.keys.countKeys()).toBe(1);
      });

      it('lists every fingerprint in pages, in order', async () => {
        const all = [fpr(5), fpr(1), fpr(3, 6), fpr(4), fpr(2)];
        for (const [i, f] of all.entries()) await store.keys.putKey(storedKey(i, { fingerprint: f }));
        const sorted = [...all].sort();
        const seen: Fingerprint[] = [];
        let after: Fingerprint | null = null;
        for (;;) {
          const page: Fingerprint[] = await store.keys.listFingerprints(after, 2);
          expect(page.length).toBeLessThanOrEqual(2);
          if (page.length === 0) break;
          seen.push(...page);
          after = page.at(-1)!;
        }
        expect(seen).toEqual(sorted);
        expect(await store.keys.listFingerprints(null, 0)).toEqual([]);
        expect(await store.keys.countKeys()).toBe(5);
      });
    });

    describe('bindings', () => {
      const binding = (local: string, n: number, publishedAt = T0): Binding => ({
        email: email(local),
        fingerprint: fpr(n),
        publishedAt,
      });

      it('publishes an address and replaces its key, returning the replaced fingerprint', async () => {
        expect(await store.bindings.publish(binding('alice', 1))).toEqual({ replaced: null });
        expect(await store.bindings.byEmail(email('alice'))).toEqual(binding('alice', 1));
        expect(await store.bindings.publish(binding('alice', 2, T0 + 1))).toEqual({ replaced: fpr(1) });
        expect(await store.bindings.byEmail(email('alice'))).toEqual(binding('alice', 2, T0 + 1));
        expect(await store.bindings.byFingerprint(fpr(1))).toEqual([]);
        expect(await store.bindings.byEmail(email('nobody'))).toBeNull();
      });

      it('publishing the same key again replaces nothing', async () => {
        await store.bindings.publish(binding('alice', 1));
        expect(await store.bindings.publish(binding('alice', 1, T0 + 1))).toEqual({ replaced: null });
        expect(await store.bindings.byFingerprint(fpr(1))).toEqual([binding('alice', 1, T0 + 1)]);
      });

      it('keeps one published key per address', async () => {
        for (let n = 1; n <= 5; n++) await store.bindings.publish(binding('alice', n));
        const all = await Promise.all([1, 2, 3, 4, 5].map((n) => store.bindings.byFingerprint(fpr(n))));
        expect(all.flat()).toEqual([binding('alice', 5)]);
      });

      it('lists the published addresses of a key, in order', async () => {
        await store.bindings.publish(binding('carol', 1));
        await store.bindings.publish(binding('alice', 1));
        await store.bindings.publish(binding('bob', 2));
        expect(await store.bindings.byFingerprint(fpr(1))).toEqual([
          binding('alice', 1),
          binding('carol', 1),
        ]);
        expect(await store.bindings.byFingerprint(fpr(3))).toEqual([]);
      });

      it('unpublishes only the named key, or any key when none is named', async () => {
        await store.bindings.publish(binding('alice', 1));
        await store.bindings.publish(binding('bob', 2));
        expect(await store.bindings.unpublish(email('alice'), fpr(9))).toBe(false);
        expect(await store.bindings.byEmail(email('alice'))).not.toBeNull();
        expect(await store.bindings.unpublish(email('alice'), fpr(1))).toBe(true);
        expect(await store.bindings.byEmail(email('alice'))).toBeNull();
        expect(await store.bindings.unpublish(email('bob'))).toBe(true);
        expect(await store.bindings.byEmail(email('bob'))).toBeNull();
        expect(await store.bindings.unpublish(email('bob'))).toBe(false);
      });

      it('finds published addresses by domain and the WKD hash of the local part', async () => {
        const elsewhere: Binding = {
          email: Email.parse('alice@example.net'),
          fingerprint: fpr(3),
          publishedAt: T0,
        };
        await store.bindings.publish(binding('alice', 1));
        await store.bindings.publish(binding('bob', 2));
        await store.bindings.publish(elsewhere);
        expect(await store.bindings.byWkdHash('example.org', wkdHash('alice'))).toEqual([
          binding('alice', 1),
        ]);
        expect(await store.bindings.byWkdHash('example.net', wkdHash('alice'))).toEqual([elsewhere]);
        expect(await store.bindings.byWkdHash('example.org', wkdHash('carol'))).toEqual([]);
        await store.bindings.publish(binding('alice', 4, T0 + 1));
        expect(await store.bindings.byWkdHash('example.org', wkdHash('alice'))).toEqual([
          binding('alice', 4, T0 + 1),
        ]);
        await store.bindings.unpublish(email('alice'));
        expect(await store.bindings.byWkdHash('example.org', wkdHash('alice'))).toEqual([]);
      });

      it('50 parallel publishes of different keys for one address leave exactly one binding', async () => {
        const ns = Array.from({ length: 50 }, (_, i) => i + 1);
        const results = await Promise.all(ns.map((n) => store.bindings.publish(binding('race', n))));
        const final = await store.bindings.byEmail(email('race'));
        expect(final).not.toBeNull();
        const bound = (await Promise.all(ns.map((n) => store.bindings.byFingerprint(fpr(n))))).flat();
        expect(bound).toEqual([final]);
        // Serialised, the publishes form one chain: exactly one saw no binding, every other replaced a distinct
        // key, and the survivor is the one key nobody replaced.
        const replaced = results.map((r) => r.replaced);
        expect(replaced.filter((r) => r === null)).toHaveLength(1);
        const replacedKeys = new Set(replaced.filter((r) => r !== null));
        expect(replacedKeys.size).toBe(49);
        expect(replacedKeys.has(final!.fingerprint)).toBe(false);
      });
    });

    describe('tokens', () => {
      it('hands a token out once', async () => {
        const t = token('a1');
        await store.tokens.issue(t);
        expect(await store.tokens.consume('a1', T0)).toEqual(t);
        expect(await store.tokens.consume('a1', T0)).toBeNull();
        expect(await store.tokens.consume('unknown', T0)).toBeNull();
      });

      it('shows a live token without taking it', async () => {
        const t = token('a1', { expiresAt: T0 + MINUTE });
        await store.tokens.issue(t);
        expect(await store.tokens.peek('a1', T0)).toEqual(t);
        expect(await store.tokens.peek('a1', T0)).toEqual(t);
        expect(await store.tokens.peek('unknown', T0)).toBeNull();
        expect(await store.tokens.peek('a1', T0 + MINUTE)).toBeNull();
        expect(await store.tokens.consume('a1', T0)).toEqual(t);
        expect(await store.tokens.peek('a1', T0)).toBeNull();
      });

      it('refuses an expired token', async () => {
        await store.tokens.issue(token('a1', { expiresAt: T0 + MINUTE }));
        expect(await store.tokens.consume('a1', T0 + MINUTE)).toBeNull();
        await store.tokens.issue(token('a2', { expiresAt: T0 + MINUTE }));
        expect(await store.tokens.consume('a2', T0 + MINUTE - 1)).not.toBeNull();
      });

      it('a newer token for the same purpose, address and key supersedes the older one', async () => {
        await store.tokens.issue(token('old'));
        await store.tokens.issue(token('other-purpose', { purpose: 'unpublish' }));
        await store.tokens.issue(token('other-address', { email: email('bob') }));
        await store.tokens.issue(token('other-key', { fingerprint: fpr(2) }));
        await store.tokens.issue(token('new', { createdAt: T0 + 1 }));
        expect(await store.tokens.consume('old', T0)).toBeNull();
        expect(await store.tokens.consume('new', T0)).toEqual(token('new', { createdAt: T0 + 1 }));
        expect(await store.tokens.consume('other-purpose', T0)).not.toBeNull();
        expect(await store.tokens.consume('other-address', T0)).not.toBeNull();
        // Another key's request for the address leaves this key's token alone (no verification DoS).
        expect(await store.tokens.consume('other-key', T0)).not.toBeNull();
      });

      it('tells whether a live token is outstanding for an address and key', async () => {
        const alice = email('alice');
        expect(await store.tokens.hasActive('verify', alice, fpr(1), T0)).toBe(false);
        await store.tokens.issue(token('t1', { expiresAt: T0 + MINUTE }));
        expect(await store.tokens.hasActive('verify', alice, fpr(1), T0)).toBe(true);
        expect(await store.tokens.hasActive('verify', alice, fpr(2), T0)).toBe(false);
        expect(await store.tokens.hasActive('unpublish', alice, fpr(1), T0)).toBe(false);
        expect(await store.tokens.hasActive('verify', email('bob'), fpr(1), T0)).toBe(false);
        expect(await store.tokens.hasActive('verify', alice, fpr(1), T0 + MINUTE)).toBe(false);
        await store.tokens.issue(token('t2', { fingerprint: fpr(2) }));
        expect(await store.tokens.hasActive('verify', alice, fpr(1), T0)).toBe(true); // another key's token
        expect(await store.tokens.hasActive('verify', alice, fpr(2), T0)).toBe(true);
        await store.tokens.consume('t2', T0);
        expect(await store.tokens.hasActive('verify', alice, fpr(2), T0)).toBe(false);
      });

      it('deletes expired tokens and keeps live ones', async () => {
        await store.tokens.issue(token('t1', { email: email('a'), expiresAt: T0 + MINUTE }));
        await store.tokens.issue(token('t2', { email: email('b'), expiresAt: T0 + MINUTE }));
        await store.tokens.issue(token('t3', { email: email('c'), expiresAt: T0 + HOUR }));
        expect(await store.tokens.deleteExpiredTokens(T0 + MINUTE)).toBe(2);
        expect(await store.tokens.deleteExpiredTokens(T0 + MINUTE)).toBe(0);
        expect(await store.tokens.consume('t3', T0 + MINUTE)).not.toBeNull();
      });

      it('50 parallel consumes of one token give exactly one winner', async () => {
        const t = token('contested');
        await store.tokens.issue(t);
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.tokens.consume('contested', T0)),
        );
        expect(results.filter((r) => r !== null)).toEqual([t]);
      });
    });

    describe('rate limits', () => {
      it('counts several hits at once and decides on the last of them', async () => {
        const now = T0 + 15_000;
        expect(await store.rateLimits.hit('ip:9', 10, MINUTE, now, 4)).toMatchObject({
          allowed: true,
          count: 4,
        });
        expect(await store.rateLimits.hit('ip:9', 10, MINUTE, now, 6)).toMatchObject({
          allowed: true,
          count: 10,
        });
        expect(await store.rateLimits.hit('ip:9', 10, MINUTE, now)).toMatchObject({
          allowed: false,
          count: 11,
        });
      });

      it('counts hits and denies past the limit until the window ends', async () => {
        const now = T0 + 15_000;
        for (let i = 1; i <= 3; i++) {
          expect(await store.rateLimits.hit('ip:1', 3, MINUTE, now)).toEqual({
            allowed: true,
            count: i,
            retryAfterSeconds: 0,
          });
        }
        const denied = await store.rateLimits.hit('ip:1', 3, MINUTE, now);
        expect(denied).toEqual({ allowed: false, count: 4, retryAfterSeconds: 45 });
        const late = await store.rateLimits.hit('ip:1', 3, MINUTE, T0 + MINUTE - 1);
        expect(late.allowed).toBe(false);
        expect(late.retryAfterSeconds).toBeGreaterThan(0);
        expect(late.retryAfterSeconds).toBeLessThanOrEqual(60);
      });

      it('keeps keys apart', async () => {
        await store.rateLimits.hit('ip:1', 1, MINUTE, T0);
        expect((await store.rateLimits.hit('ip:1', 1, MINUTE, T0)).allowed).toBe(false);
        expect(await store.rateLimits.hit('ip:2', 1, MINUTE, T0)).toEqual({
          allowed: true,
          count: 1,
          retryAfterSeconds: 0,
        });
      });

      it('starts counting again in a new window', async () => {
        await store.rateLimits.hit('mail:alice', 1, HOUR, T0);
        expect((await store.rateLimits.hit('mail:alice', 1, HOUR, T0 + HOUR - 1)).allowed).toBe(false);
        expect(await store.rateLimits.hit('mail:alice', 1, HOUR, T0 + HOUR)).toEqual({
          allowed: true,
          count: 1,
          retryAfterSeconds: 0,
        });
      });

      it('counts every one of 50 parallel hits', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.rateLimits.hit('burst', 10, MINUTE, T0)),
        );
        expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        expect(results.filter((r) => r.allowed)).toHaveLength(10);
      });
    });
  });
}
