import type { Email } from '../../shared/identity';

/**
 * The durable mail queue (mail/mail-queue.ts): every mail the keyserver decides to send is written here first and
 * deleted once handed to the mail server, so a mail survives a refusing server and a crash, and several processes
 * sharing the store send it once. Its text holds live links and codes: it is kept only until sent, and erased
 * when the queue gives up. Times are epoch ms.
 */

export interface NewMail {
  /** Random, 32 hex digits. */
  id: string;
  to: Email;
  subject: string;
  text: string;
  /** Public key packets to encrypt the mail to (the Mailer's `encryptTo`), or null for a plain mail. */
  encryptTo: Uint8Array | null;
  createdAt: number;
  /** Not sent after this (its link or code would no longer work): given up instead. */
  expiresAt: number;
}

export interface QueuedMail extends NewMail {
  /** Send attempts started, this one included once claimed. */
  attempts: number;
  /** The earliest time of the next attempt. */
  dueAt: number;
  /** Why the last attempt failed: an error code, never message text. */
  lastError: string | null;
}

/** What is kept of a mail the queue gave up on: no text, no key. */
export interface FailedMail {
  id: string;
  to: Email;
  subject: string;
  createdAt: number;
  failedAt: number;
  attempts: number;
  lastError: string;
}

export interface PendingSummary {
  /** How many mails wait to be sent (due or not, claimed or not). */
  count: number;
  /** The oldest of them: when it was queued, how often it was tried, why it failed last. */
  oldest: { createdAt: number; attempts: number; lastError: string | null } | null;
}

export interface ClaimRequest {
  now: number;
  /** The claim holds the mails until now + leaseMs; after that another claim may take them (a crashed sender). */
  leaseMs: number;
  /** Identifies this claim (random): complete, retry and fail act only while it still holds the mail. */
  lease: string;
  limit: number;
  /** Only this mail (the sender right after queueing it). */
  id?: string;
}

export interface MailQueueStore {
  /** Queues a mail, due at once, with no attempt made yet. */
  enqueue(mail: NewMail): Promise<void>;
  /**
   * Atomically takes up to `limit` due mails (dueAt <= now) that no live claim holds, the earliest due first, and
   * counts an attempt for each. Of concurrent claims (in any process) each mail goes to exactly one.
   */
  claim(request: ClaimRequest): Promise<QueuedMail[]>;
  /** Sent: deletes the mail, text and all. False when `lease` no longer holds it (the claim had expired). */
  complete(id: string, lease: string): Promise<boolean>;
  /** The attempt failed: releases the claim, with the next attempt not before `dueAt`. */
  retry(id: string, lease: string, dueAt: number, error: string): Promise<boolean>;
  /** No more attempts: erases text and key, keeps a FailedMail until `keepUntil`. */
  fail(id: string, lease: string, failedAt: number, error: string, keepUntil: number): Promise<boolean>;
  /** For /healthz. */
  pending(): Promise<PendingSummary>;
  /** The mails given up on, the latest first. */
  failures(limit: number): Promise<FailedMail[]>;
  /** Removes FailedMail records whose keepUntil is <= now; returns how many. */
  deleteExpiredFailures(now: number): Promise<number>;
}
