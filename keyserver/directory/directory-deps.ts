import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Config } from '../config';
import type { RateLimiter, RateRule } from '../limits/rate-limiter';
import type { KeyLimits } from '../keys/key-limits';
import type { MailQueue } from '../mail/mail-queue';
import type { Store } from '../store/ports';
import type { UploadTokens } from './upload-token';

/** What the directory use cases need; built once in app.ts. */
export interface DirectoryDeps {
  store: Store;
  /** Mails are queued in the store and sent from there (mail/mail-queue.ts). */
  mailQueue: MailQueue;
  clock: Clock;
  log: Logger;
  config: Config;
  limiter: RateLimiter;
  uploadTokens: UploadTokens;
  keyLimits: KeyLimits;
  /** Work after the response (so timing reveals nothing); tracked so shutdown and tests can wait. */
  background: BackgroundWork;
}

/** Who is asking: only what rate limits need. */
export interface Client {
  ip: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function rateRules(config: Config) {
  return {
    lookup: { bucket: 'lookup-ip', limit: config.RATE_LOOKUPS_PER_MINUTE, windowMs: MINUTE },
    upload: { bucket: 'upload-ip', limit: config.RATE_UPLOADS_PER_HOUR, windowMs: HOUR },
    verifyMail: { bucket: 'verify-mail', limit: config.RATE_VERIFY_MAILS_PER_ADDRESS_HOUR, windowMs: HOUR },
    verifyMailAddress: { bucket: 'verify-mail-address', limit: 5, windowMs: HOUR },
    verifyMailIp: { bucket: 'verify-mail-ip', limit: config.RATE_VERIFY_MAILS_PER_IP_HOUR, windowMs: HOUR },
    unpublishRequest: { bucket: 'unpublish-ip', limit: config.RATE_UPLOADS_PER_HOUR, windowMs: HOUR },
    unpublishMail: {
      bucket: 'unpublish-mail',
      limit: config.RATE_UNPUBLISH_MAILS_PER_ADDRESS_HOUR,
      windowMs: HOUR,
    },
  } satisfies Record<string, RateRule>;
}

export interface BackgroundWork {
  run(name: string, task: () => Promise<unknown>): void;
  /** Resolves once everything started so far has settled. */
  drain(): Promise<void>;
}

export function createBackgroundWork(log: Logger): BackgroundWork {
  const running = new Set<Promise<unknown>>();
  return {
    run(name, task) {
      // Start only after the current request has answered: the work must not show in its timing.
      const p = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .catch((err: unknown) => log.error({ err, task: name }, 'background task failed'))
        .finally(() => running.delete(p));
      running.add(p);
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
