import type Database from 'better-sqlite3';
import { Email } from '../../../shared/identity';
import type { FailedMail, MailQueueStore, QueuedMail } from '../mail-queue-ports';
import { settled } from './sqlite-database';

interface MailRow {
  id: string;
  recipient: string;
  subject: string;
  body: string | null;
  encrypt_to: Buffer | null;
  created_at: number;
  expires_at: number;
  attempts: number;
  due_at: number;
  last_error: string | null;
  failed_at: number | null;
}

/** The mail queue in the embedded SQLite file; claims are one BEGIN IMMEDIATE transaction (the write lock). */
export function createSqliteMailQueueStore(db: Database.Database): MailQueueStore {
  const insert = db.prepare(`
    INSERT INTO mail_queue (id, state, recipient, subject, body, encrypt_to, created_at, expires_at, due_at)
    VALUES (@id, 'pending', @to, @subject, @text, @encryptTo, @createdAt, @expiresAt, @createdAt)`);
  const due = db.prepare<{ now: number; limit: number; id: string | null }, { id: string }>(`
    SELECT id FROM mail_queue
    WHERE state = 'pending' AND due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
      AND (@id IS NULL OR id = @id)
    ORDER BY due_at, created_at LIMIT @limit`);
  const take = db.prepare<{ id: string; lease: string; until: number }, MailRow>(`
    UPDATE mail_queue SET lease = @lease, lease_until = @until, attempts = attempts + 1
    WHERE id = @id RETURNING *`);
  const complete = db.prepare("DELETE FROM mail_queue WHERE id = ? AND lease = ? AND state = 'pending'");
  const retry = db.prepare(`
    UPDATE mail_queue SET due_at = @dueAt, last_error = @error, lease = NULL, lease_until = NULL
    WHERE id = @id AND lease = @lease AND state = 'pending'`);
  const fail = db.prepare(`
    UPDATE mail_queue SET state = 'failed', body = NULL, encrypt_to = NULL, last_error = @error,
      failed_at = @failedAt, keep_until = @keepUntil, lease = NULL, lease_until = NULL
    WHERE id = @id AND lease = @lease AND state = 'pending'`);
  const pendingCount = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM mail_queue WHERE state = 'pending'",
  );
  const oldest = db.prepare<[], MailRow>(
    "SELECT * FROM mail_queue WHERE state = 'pending' ORDER BY created_at LIMIT 1",
  );
  const failures = db.prepare<[number], MailRow>(
    "SELECT * FROM mail_queue WHERE state = 'failed' ORDER BY failed_at DESC, id LIMIT ?",
  );
  const deleteExpired = db.prepare("DELETE FROM mail_queue WHERE state = 'failed' AND keep_until <= ?");

  const claim = db.transaction(
    (now: number, leaseMs: number, lease: string, limit: number, id: string | null) =>
      due
        .all({ now, limit, id })
        .map((row) => take.get({ id: row.id, lease, until: now + leaseMs })!)
        .map(toQueuedMail),
  );

  return {
    enqueue: (mail) =>
      settled(() => {
        insert.run({ ...mail, encryptTo: mail.encryptTo && Buffer.from(mail.encryptTo) });
      }),
    claim: ({ now, leaseMs, lease, limit, id }) =>
      settled(() => (limit > 0 ? claim.immediate(now, leaseMs, lease, limit, id ?? null) : [])),
    complete: (id, lease) => settled(() => complete.run(id, lease).changes > 0),
    retry: (id, lease, dueAt, error) => settled(() => retry.run({ id, lease, dueAt, error }).changes > 0),
    fail: (id, lease, failedAt, error, keepUntil) =>
      settled(() => fail.run({ id, lease, failedAt, error, keepUntil }).changes > 0),
    pending: () =>
      settled(() => {
        const row = oldest.get();
        return {
          count: pendingCount.get()!.n,
          oldest: row
            ? { createdAt: row.created_at, attempts: row.attempts, lastError: row.last_error }
            : null,
        };
      }),
    failures: (limit) => settled(() => (limit > 0 ? failures.all(limit) : []).map(toFailedMail)),
    deleteExpiredFailures: (now) => settled(() => deleteExpired.run(now).changes),
  };
}

function toQueuedMail(row: MailRow): QueuedMail {
  return {
    id: row.id,
    to: Email.parse(row.recipient),
    subject: row.subject,
    text: row.body ?? '',
    encryptTo: row.encrypt_to && new Uint8Array(row.encrypt_to),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    attempts: row.attempts,
    dueAt: row.due_at,
    lastError: row.last_error,
  };
}

function toFailedMail(row: MailRow): FailedMail {
  return {
    id: row.id,
    to: Email.parse(row.recipient),
    subject: row.subject,
    createdAt: row.created_at,
    failedAt: row.failed_at ?? 0,
    attempts: row.attempts,
    lastError: row.last_error ?? '',
  };
}
