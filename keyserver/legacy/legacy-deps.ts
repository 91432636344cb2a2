import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Email } from '../../shared/identity';
import type { Config } from '../config';
import type { BackgroundWork } from '../directory/directory-deps';
import type { RateLimiter, RateRule } from '../limits/rate-limiter';
import type { MailQueue } from '../mail/mail-queue';
import type { Store } from '../store/ports';

/** What digital legacy's use cases need; built once in app.ts. */
export interface LegacyDeps {
  store: Store;
  /** Mails are queued in the store and sent from there (mail/mail-queue.ts). */
  mailQueue: MailQueue;
  clock: Clock;
  log: Logger;
  config: Config;
  limiter: RateLimiter;
  /** Mails owed after a change are sent after the response; tracked so shutdown and tests can wait. */
  background: BackgroundWork;
  /**
   * The address of the escrow session in an `Authorization: Bearer` header (escrow/sessions.ts), for owners who
   * prove themselves with their key backup's passphrase instead of their key. Throws when there is none.
   */
  sessionAddress(authorization: string | undefined): Promise<Email>;
  /** Random hex ids (requests, notices, leases); tests may fix them. */
  newId?: (bytes: number) => string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The fixed rules of docs/legacy.md. */
export const LEGACY_POLICY = Object.freeze({
  challengeTtlMs: 5 * MINUTE,
  /** How long a claimed grant is held by one process's worker before another may take it (a crashed worker). */
  leaseMs: 2 * MINUTE,
  /** After a refusal, the same grant takes no new request for this long. */
  refusalCooldownMs: 7 * DAY,
  /** Live (unrevoked) grants per owner address. */
  maxLiveGrants: 10,
  /** The terms' creation time may differ this much from the keyserver's clock (devices' clocks are off). */
  termsSkewMs: DAY,
  /** Signatures on statements may be dated this far ahead of the keyserver's clock. */
  proofSkewMs: 10 * MINUTE,
  /** History entries in the owner's view of a grant. */
  historyLength: 50,
  /** Grants one sweep claims at a time. */
  sweepBatch: 20,
});

export function legacyRateRules(config: Config) {
  return {
    requestIp: { bucket: 'legacy-ip', limit: config.RATE_LEGACY_REQUESTS_PER_IP_MINUTE, windowMs: MINUTE },
    /** New requests for access per owner address: each mails the owner. */
    accessOwner: {
      bucket: 'legacy-access-owner',
      limit: config.RATE_LEGACY_ACCESS_REQUESTS_PER_ADDRESS_DAY,
      windowMs: DAY,
    },
    /** Grant uploads (creations and changes) per owner address. */
    uploadOwner: { bucket: 'legacy-upload-owner', limit: 20, windowMs: HOUR },
  } satisfies Record<string, RateRule>;
}
