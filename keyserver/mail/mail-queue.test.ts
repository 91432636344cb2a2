import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock';
import { Email } from '../../shared/identity';
import { createBackgroundWork } from '../directory/directory-deps';
import type { Store } from '../store/ports';
import { openSqliteStore } from '../store/sqlite/sqlite-store';
import { captureLog } from './capture-log.testing';
import { createMailQueue, DEFAULT_MAIL_QUEUE_POLICY, type MailQueuePolicy } from './mail-queue';
import { createSmtpMailer } from './smtp-mailer';
import { startTestSmtpServer } from './test-smtp-server.testing';

/**
 * The durable mail queue with real parts: an SQLite file, nodemailer over SMTP to a real SMTP server that can
 * refuse, and a manual clock (the retry waits are moved past, never slept).
 */
const ALICE = Email.parse('alice@example.org');
const LINK = 'https://keys.example.org/verify/c2VjcmV0LXRva2Vu';
const SECOND = 1000;
const MINUTE = 60 * SECOND;

let dir: string;
let store: Store;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let logged: ReturnType<typeof captureLog>;
const clock = manualClock(Date.UTC(2030, 0, 1));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-mail-queue-'));
  store = openSqliteStore(dir);
  smtp = await startTestSmtpServer();
  logged = captureLog();
});
afterEach(async () => {
  await store.close();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

function makeQueue(policy: Partial<MailQueuePolicy> = {}) {
  const background = createBackgroundWork(logged.log);
  const mailer = createSmtpMailer({
    url: smtp.url,
    from: 'Keyward <keys@example.org>',
    log: logged.log,
    clock,
  });
  const queue = createMailQueue({
    store: store.mailQueue,
    mailer,
    clock,
    log: logged.log,
    background,
    policy,
  });
  return {
    queue,
    /** Waits for the sends `enqueue` started. */
    settle: () => background.drain(),
    close: async () => {
      await background.drain();
      await mailer.close();
    },
  };
}

const mail = (subject = 'Confirm your address') => ({ to: ALICE, subject, text: `Open ${LINK}` });

describe('the mail queue', () => {
  it('sends a queued mail at once and keeps nothing of it', async () => {
    const q = makeQueue();
    await q.queue.enqueue(mail());
    await q.settle();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toContain(LINK);
    expect(await store.mailQueue.pending()).toEqual({ count: 0, oldest: null });
    await q.close();
  });

  it('an SMTP server that refuses, then accepts: the mail is sent on the retry after the wait', async () => {
    const q = makeQueue();
    smtp.refuse(451);
    await q.queue.enqueue(mail());
    await q.settle();
    expect(smtp.received).toHaveLength(0);
    expect(await store.mailQueue.pending()).toMatchObject({
      count: 1,
      oldest: { attempts: 1, lastError: 'unavailable EENVELOPE 451' },
    });
    smtp.refuse(null);
    clock.advance(DEFAULT_MAIL_QUEUE_POLICY.firstRetryMs - 1);
    expect(await q.queue.sweep()).toBe(0); // not due yet
    clock.advance(1);
    expect(await q.queue.sweep()).toBe(1);
    expect(smtp.received).toHaveLength(1);
    expect(await store.mailQueue.pending()).toEqual({ count: 0, oldest: null });
    expect(logged.raw()).not.toContain('c2VjcmV0LXRva2Vu'); // retries are logged without the mail's text
    await q.close();
  });

  it('waits twice as long after each failure, up to the cap, and gives up after the last attempt', async () => {
    const policy = { firstRetryMs: 10 * SECOND, maxRetryMs: 60 * SECOND, maxAttempts: 6 };
    const q = makeQueue(policy);
    smtp.refuse(451);
    await q.queue.enqueue(mail());
    await q.settle();
    const waits: number[] = [];
    for (let attempt = 2; attempt <= 6; attempt++) {
      let waited = 0;
      while ((await q.queue.sweep()) === 0) {
        clock.advance(SECOND);
        waited += SECOND;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([10, 20, 40, 60, 60].map((s) => s * SECOND));
    expect(await store.mailQueue.pending()).toEqual({ count: 0, oldest: null });
    const [failure] = await store.mailQueue.failures(10);
    expect(failure).toMatchObject({ to: ALICE, attempts: 6, lastError: 'unavailable EENVELOPE 451' });
    expect(logged.entries()).toContainEqual(expect.objectContaining({ msg: 'mail given up: not sent' }));
    smtp.refuse(null);
    clock.advance(60 * MINUTE);
    expect(await q.queue.sweep()).toBe(0);
    expect(smtp.received).toHaveLength(0);
    await q.close();
  });

  it('gives up at once on a mail the server rejects for good (550), and erases its text from the store', async () => {
    const q = makeQueue();
    smtp.refuse(550);
    await q.queue.enqueue(mail());
    await q.settle();
    expect(await store.mailQueue.failures(10)).toMatchObject([
      { attempts: 1, lastError: 'unavailable rejected EENVELOPE 550' },
    ]);
    const raw = new Database(join(dir, 'keyward.sqlite'), { readonly: true });
    try {
      expect(raw.prepare('SELECT body, encrypt_to FROM mail_queue').all()).toEqual([
        { body: null, encrypt_to: null },
      ]);
    } finally {
      raw.close();
    }
    await q.close();
  });

  it('gives up on a mail whose link has expired before it could be sent, without sending it', async () => {
    const q = makeQueue();
    smtp.refuse(451);
    await q.queue.enqueue(mail(), { expiresAt: clock.now().getTime() + 15 * MINUTE });
    await q.settle();
    smtp.refuse(null);
    clock.advance(16 * MINUTE);
    expect(await q.queue.sweep()).toBe(1);
    expect(smtp.received).toHaveLength(0);
    expect(await store.mailQueue.failures(10)).toMatchObject([
      { lastError: 'expired before it could be sent' },
    ]);
    await q.close();
  });

  it('sends a mail whose sender died holding it once the claim has lapsed, and not before', async () => {
    const q = makeQueue();
    smtp.refuse(451);
    await q.queue.enqueue(mail());
    await q.settle();
    smtp.refuse(null);
    clock.advance(DEFAULT_MAIL_QUEUE_POLICY.firstRetryMs);
    // Another process claims it and dies before it finishes.
    const [claimed] = await store.mailQueue.claim({
      now: clock.now().getTime(),
      leaseMs: DEFAULT_MAIL_QUEUE_POLICY.leaseMs,
      lease: 'dead-process',
      limit: 1,
    });
    expect(claimed).toBeDefined();
    expect(await q.queue.sweep()).toBe(0);
    clock.advance(DEFAULT_MAIL_QUEUE_POLICY.leaseMs);
    expect(await q.queue.sweep()).toBe(1);
    expect(smtp.received).toHaveLength(1);
    await q.close();
  });

  it('sends each queued mail once when several sweeps run at once', async () => {
    const q = makeQueue();
    smtp.refuse(451);
    for (let i = 0; i < 12; i++) await q.queue.enqueue({ ...mail(`Mail ${i}`) });
    await q.settle();
    smtp.refuse(null);
    clock.advance(DEFAULT_MAIL_QUEUE_POLICY.firstRetryMs);
    const other = makeQueue(); // a second process on the same store
    await Promise.all([q.queue.sweep(), other.queue.sweep(), q.queue.sweep()]);
    const subjects = smtp.received.map((m) => /^Subject: (.*)$/m.exec(m.raw)![1]).sort();
    expect(subjects).toEqual(Array.from({ length: 12 }, (_, i) => `Mail ${i}`).sort());
    await Promise.all([q.close(), other.close()]);
  });

  it('keeps the key to encrypt to until the mail is sent, and sends it encrypted', async () => {
    const q = makeQueue();
    const { publicKey } = await generateKey({ userIDs: [{ email: ALICE }], format: 'binary' });
    smtp.refuse(451);
    await q.queue.enqueue({ ...mail(), encryptTo: publicKey });
    await q.settle();
    smtp.refuse(null);
    clock.advance(DEFAULT_MAIL_QUEUE_POLICY.firstRetryMs);
    await q.queue.sweep();
    expect(smtp.received[0]!.raw).toContain('multipart/encrypted');
    expect(smtp.received[0]!.raw).not.toContain('c2VjcmV0LXRva2Vu');
    await q.close();
  });

  describe('health', () => {
    it('is unhealthy once the oldest unsent mail waited past the threshold, and says why without the mail', async () => {
      const q = makeQueue({ stuckMs: 15 * MINUTE });
      expect(await q.queue.health()).toEqual({ ok: true });
      smtp.refuse(451);
      await q.queue.enqueue(mail());
      await q.settle();
      clock.advance(15 * MINUTE);
      expect(await q.queue.health()).toEqual({ ok: true });
      clock.advance(2 * MINUTE);
      await q.queue.sweep();
      const health = await q.queue.health();
      expect(health).toEqual({
        ok: false,
        problem:
          'mail: 1 unsent, the oldest for 17 minutes (limit 15) after 2 attempts; last error: unavailable EENVELOPE 451',
      });
      expect(JSON.stringify(health)).not.toMatch(/alice|c2VjcmV0|Confirm/);
      smtp.refuse(null);
      clock.advance(10 * MINUTE);
      await q.queue.sweep();
      expect(await q.queue.health()).toEqual({ ok: true });
      await q.close();
    });
  });
});
