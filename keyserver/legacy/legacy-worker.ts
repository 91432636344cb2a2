import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Config } from '../config';
import {
  legacyCancelledMail,
  legacyReleasedMail,
  legacyReleasedOwnerMail,
  legacyRefusedMail,
  legacyReminderMail,
  legacyRequestedMail,
} from '../mail/legacy-mail-texts';
import type { MailQueue } from '../mail/mail-queue';
import type { MailText } from '../mail/mail-texts';
import type { LegacyGrant, LegacyStore, Notice } from '../store/legacy-ports';
import { updateGrant } from '../store/update-grant';
import { recordEvents } from './events';
import { advance, withoutNotice } from './grant-state';
import { LEGACY_POLICY } from './legacy-deps';

export interface LegacyWorkerDeps {
  store: { legacy: LegacyStore };
  mailQueue: Pick<MailQueue, 'enqueue'>;
  clock: Clock;
  log: Logger;
  config: Pick<Config, 'BASE_URL'>;
  newId?: (bytes: number) => string;
}

/** Rounds of advance-then-mail on one claimed grant; a grant never owes more than a handful of mails. */
const MAX_ROUNDS = 16;

/**
 * Digital legacy's scheduler (docs/legacy.md, "Scheduling"): it claims grants whose `dueAt` has come (a lease, so
 * one process at a time works on each), stores what fell due (a reminder, a release) with a compare-and-swap, hands
 * each owed mail to the durable mail queue and only then removes it from the grant. A state change happens once
 * across processes; a mail goes out at least once (twice only if a worker dies between queueing it and removing it).
 * Routes call `run(id)` right after a change; every process sweeps on a timer, and at start.
 */
export function createLegacyWorker(deps: LegacyWorkerDeps) {
  const newId = deps.newId ?? ((bytes: number) => randomBytes(bytes).toString('hex'));
  const now = () => deps.clock.now().getTime();
  const grants = deps.store.legacy.grants;
  let sweeping: Promise<number> | null = null;

  function mailFor(grant: LegacyGrant, notice: Notice): { to: 'owner' | 'trusted'; mail: MailText } {
    const baseUrl = deps.config.BASE_URL;
    const { terms } = grant;
    const link = `${baseUrl}/legacy/requests/${grant.id}/${notice.requestId}`;
    switch (notice.kind) {
      case 'requested':
        return {
          to: 'owner',
          mail: legacyRequestedMail({
            baseUrl,
            owner: terms.ownerAddress,
            trusted: terms.trustedAddress,
            trustedFingerprint: terms.trustedFingerprint,
            waitingDays: terms.waitingDays,
            releaseAt: notice.releaseAt,
            link,
          }),
        };
      case 'reminder':
        return {
          to: 'owner',
          mail: legacyReminderMail({
            baseUrl,
            trusted: terms.trustedAddress,
            releaseAt: notice.releaseAt,
            link,
          }),
        };
      case 'released-owner':
        return {
          to: 'owner',
          mail: legacyReleasedOwnerMail({ baseUrl, trusted: terms.trustedAddress, at: notice.at }),
        };
      case 'released':
        return { to: 'trusted', mail: legacyReleasedMail({ baseUrl, owner: terms.ownerAddress }) };
      case 'refused':
        return { to: 'trusted', mail: legacyRefusedMail({ baseUrl, owner: terms.ownerAddress }) };
      case 'cancelled':
        return {
          to: 'trusted',
          mail: legacyCancelledMail({
            baseUrl,
            owner: terms.ownerAddress,
            revoked: grant.revokedAt !== null,
          }),
        };
    }
  }

  async function send(grant: LegacyGrant, notice: Notice): Promise<void> {
    const { to, mail } = mailFor(grant, notice);
    const address = to === 'owner' ? grant.terms.ownerAddress : grant.terms.trustedAddress;
    // The owner's alarms are worth sending until the release itself; other notices live as long as any notice.
    const alarm = notice.kind === 'requested' || notice.kind === 'reminder';
    const options = alarm && notice.releaseAt > now() ? { expiresAt: notice.releaseAt } : {};
    await deps.mailQueue.enqueue({ to: address, ...mail }, options);
    deps.log.info({ grant: grant.id, notice: notice.kind }, 'legacy mail queued');
  }

  /**
   * Works on one claimed grant until it owes nothing and nothing is due, then ends the claim. On a failure (the store
   * or the mail queue down) the claim is kept until its lease runs out: the next try waits that long.
   */
  async function work(id: string, lease: string): Promise<void> {
    const handed = new Set<string>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const step = await updateGrant(grants, id, (current) => {
        // Drop the mails already queued (a write that lost a race kept them here), then apply what fell due.
        let grant = current;
        for (const n of current.notices) if (handed.has(n.id)) grant = withoutNotice(grant, n.id);
        const due = advance(grant, now(), newId);
        if (due) return due;
        return grant === current ? null : { grant, events: [] };
      });
      if (!step) break; // gone (never: grants are not deleted)
      await recordEvents(deps.store, id, now(), step.events, { actor: 'keyserver' });
      for (const { event } of step.events) deps.log.info({ grant: id, event }, `legacy request ${event}`);
      const next = step.grant.notices.find((n) => !handed.has(n.id));
      if (!next) break;
      await send(step.grant, next);
      handed.add(next.id);
      if (round === MAX_ROUNDS - 1)
        deps.log.warn({ grant: id }, 'legacy grant still owes mails; left for later');
    }
    await grants.release(id, lease);
  }

  /** Claims and works on due grants (only `id`, when given) until none is left; resolves with how many. */
  async function run(id?: string): Promise<number> {
    let worked = 0;
    for (;;) {
      const lease = newId(16);
      const claimed = await grants.claimDue({
        now: now(),
        leaseMs: LEGACY_POLICY.leaseMs,
        lease,
        limit: id === undefined ? LEGACY_POLICY.sweepBatch : 1,
        ...(id === undefined ? {} : { id }),
      });
      for (const grant of claimed) {
        try {
          await work(grant.id, lease);
        } catch (err) {
          deps.log.error({ err, grant: grant.id }, 'legacy grant not worked on; retried once its claim ends');
        }
      }
      worked += claimed.length;
      if (id !== undefined || claimed.length < LEGACY_POLICY.sweepBatch) return worked;
    }
  }

  return {
    /** Right after a route changed grant `id`: its mails go out now, if no other process is at it. */
    run: (id: string) => run(id),
    /** Everything due, one sweep at a time per process. */
    sweep(): Promise<number> {
      sweeping ??= run().finally(() => (sweeping = null));
      return sweeping;
    },
  };
}

export type LegacyWorker = ReturnType<typeof createLegacyWorker>;

/** Sweeps now (what fell due while no process ran) and every `everyMs`; the returned stop waits for a sweep. */
export function startLegacySweeps(worker: LegacyWorker, log: Logger, everyMs: number): () => Promise<void> {
  let current: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    current = worker.sweep().catch((err: unknown) => log.error({ err }, 'legacy sweep failed'));
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
