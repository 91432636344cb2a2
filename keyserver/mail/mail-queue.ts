import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import type { Config } from '../config';
import type { MailQueueStore, QueuedMail } from '../store/mail-queue-ports';
import type { Mailer, MailMessage } from './mailer';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface MailQueuePolicy {
  /** The wait before the first retry; it doubles with each failed attempt, up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** Attempts before the queue gives up on a mail. */
  maxAttempts: number;
  /** How long a claim holds a mail: well past the longest send (smtp-mailer bounds one at 25 s). */
  leaseMs: number;
  /** Mails one sweep sends at once (each claimed on its own, so a lease never waits behind other sends). */
  parallel: number;
  /** The lifetime of a mail that brings no expiry of its own (notices, not links or codes). */
  defaultLifetimeMs: number;
  /** How long the record of a mail given up on is kept (recipient, subject, error; never the text). */
  keepFailedMs: number;
  /** /healthz turns unhealthy once the oldest unsent mail has waited this long. */
  stuckMs: number;
}

export const DEFAULT_MAIL_QUEUE_POLICY: MailQueuePolicy = Object.freeze({
  firstRetryMs: 30_000,
  maxRetryMs: HOUR,
  maxAttempts: 10,
  leaseMs: 2 * MINUTE,
  parallel: 3, // smtp-mailer's pool has three connections
  defaultLifetimeMs: 24 * HOUR,
  keepFailedMs: 7 * 24 * HOUR,
  stuckMs: 15 * MINUTE,
});

/** The policy with the configured retry wait and stuck threshold. */
export function mailQueuePolicyFrom(
  config: Pick<Config, 'MAIL_RETRY_SECONDS' | 'MAIL_STUCK_MINUTES'>,
): Partial<MailQueuePolicy> {
  return { firstRetryMs: config.MAIL_RETRY_SECONDS * 1000, stuckMs: config.MAIL_STUCK_MINUTES * MINUTE };
}

/** How often each process sweeps: as often as the first retry falls due, at most every 30 s. */
export function sweepIntervalMs(policy: Pick<MailQueuePolicy, 'firstRetryMs'>): number {
  return Math.min(Math.max(policy.firstRetryMs, 1000), 30_000);
}

export interface MailQueueDeps {
  store: MailQueueStore;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  /** Runs the first attempt after the current request has answered, tracked so shutdown and tests can wait. */
  background: { run(name: string, task: () => Promise<unknown>): void };
  policy?: Partial<MailQueuePolicy>;
  /** Random ids for mails and claims. */
  newId?: () => string;
}

export type MailHealth = { ok: true } | { ok: false; problem: string };

/**
 * The durable outbox. `enqueue` writes the mail to the store, where it survives a refusing mail server and a
 * crash, and starts the first attempt from this process at once; `sweep` (on a timer, and at start) sends what is
 * due again: retries, and mails a stopped or crashed process left. A claim with a lease makes every mail go out
 * once across processes sharing the store; a sender that dies mid-send loses its lease and the mail is tried again
 * (then, rarely, it arrives twice: the server may have taken it just before the crash). A sent mail is deleted at
 * once, since its text holds live links and codes.
 */
export function createMailQueue(deps: MailQueueDeps) {
  const policy = { ...DEFAULT_MAIL_QUEUE_POLICY, ...deps.policy };
  const newId = deps.newId ?? (() => randomBytes(16).toString('hex'));
  const now = () => deps.clock.now().getTime();
  let sweeping: Promise<number> | null = null;

  async function giveUp(mail: QueuedMail, lease: string, error: string): Promise<void> {
    const t = now();
    await deps.store.fail(mail.id, lease, t, error, t + policy.keepFailedMs);
    deps.log.error(
      { to: mail.to, subject: mail.subject, attempts: mail.attempts, error },
      'mail given up: not sent',
    );
  }

  /** One attempt at a claimed mail; every outcome is recorded in the store before this returns. */
  async function attempt(mail: QueuedMail, lease: string): Promise<void> {
    if (mail.expiresAt <= now()) {
      await giveUp(mail, lease, 'expired before it could be sent');
      return;
    }
    if (mail.attempts > policy.maxAttempts) {
      // Claimed again after its last attempt's sender died: that attempt was the last one.
      await giveUp(mail, lease, mail.lastError ?? 'no attempt finished');
      return;
    }
    const message: MailMessage = { to: mail.to, subject: mail.subject, text: mail.text };
    if (mail.encryptTo) message.encryptTo = mail.encryptTo;
    try {
      await deps.mailer.send(message);
    } catch (e) {
      const error = describeFailure(e);
      if (isPermanent(e) || mail.attempts >= policy.maxAttempts) {
        await giveUp(mail, lease, error);
        return;
      }
      const waitMs = Math.min(policy.firstRetryMs * 2 ** (mail.attempts - 1), policy.maxRetryMs);
      const dueAt = now() + waitMs;
      await deps.store.retry(mail.id, lease, dueAt, error);
      deps.log.warn(
        { to: mail.to, attempts: mail.attempts, error, retryAt: new Date(dueAt).toISOString() },
        'mail not sent yet; will retry',
      );
      return;
    }
    if (!(await deps.store.complete(mail.id, lease))) {
      // The send outlasted the lease, so another sender may have taken it too: worth knowing if it repeats.
      deps.log.warn({ to: mail.to, leaseMs: policy.leaseMs }, 'mail sent after its claim had expired');
    }
  }

  /** Claims one mail (the named one, or the earliest due) and makes one attempt; false when none was due. */
  async function sendOne(id?: string): Promise<boolean> {
    const lease = newId();
    const [mail] = await deps.store.claim({
      now: now(),
      leaseMs: policy.leaseMs,
      lease,
      limit: 1,
      ...(id === undefined ? {} : { id }),
    });
    if (!mail) return false;
    await attempt(mail, lease);
    return true;
  }

  return {
    policy,

    /** Queues a mail (its expiry: when its link or code stops working) and starts sending it. */
    async enqueue(message: MailMessage, options: { expiresAt?: number } = {}): Promise<void> {
      const t = now();
      const id = newId();
      await deps.store.enqueue({
        id,
        to: message.to,
        subject: message.subject,
        text: message.text,
        encryptTo: message.encryptTo ?? null,
        createdAt: t,
        expiresAt: options.expiresAt ?? t + policy.defaultLifetimeMs,
      });
      deps.background.run('send-mail', () => sendOne(id));
    },

    /** Attempts every due mail, `parallel` at a time; one sweep at a time per process. Resolves with the count. */
    sweep(): Promise<number> {
      sweeping ??= (async () => {
        let attempted = 0;
        const worker = async () => {
          while (await sendOne()) attempted++;
        };
        await Promise.all(Array.from({ length: policy.parallel }, worker));
        return attempted;
      })().finally(() => (sweeping = null));
      return sweeping;
    },

    /** Unhealthy when the oldest unsent mail has waited longer than `stuckMs`; says why, without the mail. */
    async health(): Promise<MailHealth> {
      const { count, oldest } = await deps.store.pending();
      if (!oldest) return { ok: true };
      const waitedMs = now() - oldest.createdAt;
      if (waitedMs <= policy.stuckMs) return { ok: true };
      return {
        ok: false,
        problem:
          `mail: ${count} unsent, the oldest for ${Math.floor(waitedMs / MINUTE)} minutes ` +
          `(limit ${Math.round(policy.stuckMs / MINUTE)}) after ${oldest.attempts} attempts; ` +
          `last error: ${oldest.lastError ?? 'none yet'}`,
      };
    },
  };
}

export type MailQueue = ReturnType<typeof createMailQueue>;

/** Sweeps now (mails a previous run left) and every `everyMs`; the returned stop waits for a sweep in progress. */
export function startMailSweeps(queue: MailQueue, log: Logger, everyMs: number): () => Promise<void> {
  let current: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    current = queue.sweep().catch((err: unknown) => log.error({ err }, 'mail sweep failed'));
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}

/**
 * Refused for good: a message that must not be sent (an unsafe header, a key that cannot receive encryption) or
 * one the mail server rejected with a 5xx (smtp-mailer's `reason: 'rejected'`). Anything else may pass later.
 */
function isPermanent(e: unknown): boolean {
  return isKeywardError(e, 'invalid_input') || (isKeywardError(e) && e.details.reason === 'rejected');
}

/** What the store and /healthz keep of a failure: codes only, never a server's reply text (it may echo the mail). */
function describeFailure(e: unknown): string {
  if (!isKeywardError(e)) return 'internal';
  const { reason, smtpError, responseCode } = e.details;
  return [e.code, reason, smtpError, responseCode].filter((part) => part !== undefined).join(' ');
}
