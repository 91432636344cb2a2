import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import type { ClaimRequest, NewMail } from './mail-queue-ports';
import type { Store } from './ports';

/** The mail-queue part of the store contract (store-contract.ts runs it for every adapter). */

const T0 = Date.UTC(2100, 0, 1); // far ahead: a real server's TTL monitor never removes records mid-test
const MINUTE = 60_000;
const LEASE = 2 * MINUTE;

function mail(n: number, over: Partial<NewMail> = {}): NewMail {
  return {
    id: n.toString(16).padStart(32, '0'),
    to: Email.parse(`user${n}@example.org`),
    subject: `Mail ${n}`,
    text: `Your link: https://keys.example.org/verify/secret-${n}`,
    encryptTo: null,
    createdAt: T0 + n,
    expiresAt: T0 + 24 * 60 * MINUTE,
    ...over,
  };
}

export function describeMailQueueStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: the mail queue store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const claim = (over: Partial<ClaimRequest> = {}) =>
      store.mailQueue.claim({ now: T0 + MINUTE, leaseMs: LEASE, lease: 'lease-a', limit: 10, ...over });

    it('hands a queued mail out once, with its text and key, counting the attempt', async () => {
      const key = Uint8Array.from([0x99, 1, 2, 3]);
      await store.mailQueue.enqueue(mail(1, { encryptTo: key }));
      expect(await claim()).toEqual([
        { ...mail(1, { encryptTo: key }), attempts: 1, dueAt: T0 + 1, lastError: null },
      ]);
      expect(await claim({ lease: 'lease-b' })).toEqual([]); // the first claim holds it
    });

    it('hands out the earliest due first, at most `limit`, and only due mails', async () => {
      for (const n of [3, 1, 2]) await store.mailQueue.enqueue(mail(n));
      await store.mailQueue.enqueue(mail(4, { createdAt: T0 + 2 * MINUTE })); // due later than `now`
      expect((await claim({ limit: 2 })).map((m) => m.subject)).toEqual(['Mail 1', 'Mail 2']);
      expect((await claim({ lease: 'lease-b' })).map((m) => m.subject)).toEqual(['Mail 3']);
      expect(await claim({ lease: 'lease-c', limit: 0 })).toEqual([]);
    });

    it('claims one named mail', async () => {
      await store.mailQueue.enqueue(mail(1));
      await store.mailQueue.enqueue(mail(2));
      expect((await claim({ id: mail(2).id })).map((m) => m.id)).toEqual([mail(2).id]);
      expect(await claim({ id: mail(2).id, lease: 'lease-b' })).toEqual([]);
      expect(await claim({ id: 'f'.repeat(32), lease: 'lease-b' })).toEqual([]);
    });

    it('gives a claim that was never finished (a crashed sender) to the next claim once its lease ends', async () => {
      await store.mailQueue.enqueue(mail(1));
      await claim();
      expect(await claim({ now: T0 + MINUTE + LEASE - 1, lease: 'lease-b' })).toEqual([]);
      const [again] = await claim({ now: T0 + MINUTE + LEASE, lease: 'lease-b' });
      expect(again?.attempts).toBe(2);
      // The old claim can no longer finish it; the new one can.
      expect(await store.mailQueue.complete(mail(1).id, 'lease-a')).toBe(false);
      expect(await store.mailQueue.complete(mail(1).id, 'lease-b')).toBe(true);
    });

    it('deletes a sent mail, text and all', async () => {
      await store.mailQueue.enqueue(mail(1));
      await claim();
      expect(await store.mailQueue.complete(mail(1).id, 'lease-a')).toBe(true);
      expect(await store.mailQueue.complete(mail(1).id, 'lease-a')).toBe(false);
      expect(await store.mailQueue.pending()).toEqual({ count: 0, oldest: null });
      expect(await claim({ now: T0 + 60 * MINUTE, lease: 'lease-b' })).toEqual([]);
    });

    it('puts a failed attempt back, due at the time given, with its error', async () => {
      await store.mailQueue.enqueue(mail(1));
      await claim();
      expect(await store.mailQueue.retry(mail(1).id, 'lease-b', T0 + 5 * MINUTE, 'x')).toBe(false);
      expect(await store.mailQueue.retry(mail(1).id, 'lease-a', T0 + 5 * MINUTE, 'unavailable 421')).toBe(
        true,
      );
      expect(await claim({ now: T0 + 5 * MINUTE - 1, lease: 'lease-b' })).toEqual([]);
      expect(await claim({ now: T0 + 5 * MINUTE, lease: 'lease-b' })).toMatchObject([
        { id: mail(1).id, attempts: 2, dueAt: T0 + 5 * MINUTE, lastError: 'unavailable 421' },
      ]);
    });

    it('keeps only a record without text of a mail given up on, and forgets it later', async () => {
      await store.mailQueue.enqueue(mail(1, { encryptTo: Uint8Array.from([0x99]) }));
      await claim();
      const failedAt = T0 + 2 * MINUTE;
      expect(await store.mailQueue.fail(mail(1).id, 'lease-b', failedAt, 'x', T0 + 60 * MINUTE)).toBe(false);
      expect(
        await store.mailQueue.fail(mail(1).id, 'lease-a', failedAt, 'rejected 550', T0 + 60 * MINUTE),
      ).toBe(true);
      const failures = await store.mailQueue.failures(10);
      expect(failures).toEqual([
        {
          id: mail(1).id,
          to: mail(1).to,
          subject: 'Mail 1',
          createdAt: mail(1).createdAt,
          failedAt,
          attempts: 1,
          lastError: 'rejected 550',
        },
      ]);
      expect(JSON.stringify(failures)).not.toContain('secret-1');
      expect(await store.mailQueue.pending()).toEqual({ count: 0, oldest: null });
      expect(await claim({ now: T0 + 59 * MINUTE, lease: 'lease-c' })).toEqual([]);
      expect(await store.mailQueue.deleteExpiredFailures(T0 + 60 * MINUTE - 1)).toBe(0);
      expect(await store.mailQueue.deleteExpiredFailures(T0 + 60 * MINUTE)).toBe(1);
      expect(await store.mailQueue.failures(10)).toEqual([]);
    });

    it('tells how many mails wait and which waits longest, claimed or not', async () => {
      await store.mailQueue.enqueue(mail(2));
      await store.mailQueue.enqueue(mail(1));
      await claim({ id: mail(1).id });
      await store.mailQueue.retry(mail(1).id, 'lease-a', T0 + 9 * MINUTE, 'unavailable ECONNECTION');
      expect(await store.mailQueue.pending()).toEqual({
        count: 2,
        oldest: { createdAt: mail(1).createdAt, attempts: 1, lastError: 'unavailable ECONNECTION' },
      });
    });

    it('20 concurrent claims of 10 due mails hand out each mail exactly once', async () => {
      for (let n = 1; n <= 10; n++) await store.mailQueue.enqueue(mail(n));
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) => claim({ lease: `lease-${i}`, limit: 3 })),
      );
      const ids = claims.flat().map((m) => m.id);
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
    });
  });
}
