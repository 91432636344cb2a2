import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Config } from '../config';
import type { BackgroundWork } from '../directory/directory-deps';
import type { RateLimiter, RateRule } from '../limits/rate-limiter';
import type { MailQueue } from '../mail/mail-queue';
import type { Store } from '../store/ports';

/** What the escrow use cases need; built once in app.ts. */
export interface EscrowDeps {
  store: Store;
  /** Mails are queued in the store and sent from there (mail/mail-queue.ts). */
  mailQueue: MailQueue;
  clock: Clock;
  log: Logger;
  config: Config;
  limiter: RateLimiter;
  /** Mails go out after the response, so whether an account exists does not show in the timing. */
  background: BackgroundWork;
  /** The OPAQUE server setup (secrets/opaque-server-setup.ts). */
  opaqueSetup: string;
  /** 32 bytes; keys the hashes of one-time codes (escrow-secrets.ts). */
  codeKey: Uint8Array;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The fixed rules of docs/escrow.md. */
export const ESCROW_POLICY = {
  codeTtlMs: 15 * MINUTE,
  codeMaxAttempts: 5,
  loginTtlMs: 2 * MINUTE,
  sessionTtlMs: 5 * MINUTE,
  relayTtlMs: 10 * MINUTE,
  /** Login starts (and the other passphrase or recovery checks) per account and window, before a lockout. */
  guessLimit: 10,
  guessWindowMs: 15 * MINUTE,
  /** The first lockout; each further one (within a day of the last) doubles it, up to a day. */
  lockoutMs: 15 * MINUTE,
  maxLockoutMs: 24 * HOUR,
  /** How long a guess counter remembers lockouts after the last one ended. */
  guessMemoryMs: 24 * HOUR,
  /** The profile announced for an address without an account (and the default of the client). */
  defaultProfile: 'argon2id-256m',
} as const;

export function escrowRateRules(config: Config) {
  return {
    codeIp: { bucket: 'escrow-code-ip', limit: config.RATE_ESCROW_CODES_PER_IP_HOUR, windowMs: HOUR },
    codeAddress: {
      bucket: 'escrow-code-address',
      limit: config.RATE_ESCROW_CODES_PER_ADDRESS_HOUR,
      windowMs: HOUR,
    },
    /** Registration starts per address: each evaluates the account's OPRF on a chosen input (docs/escrow.md). */
    registerAddress: { bucket: 'escrow-register-address', limit: 10, windowMs: HOUR },
    requestIp: { bucket: 'escrow-ip', limit: config.RATE_ESCROW_REQUESTS_PER_IP_MINUTE, windowMs: MINUTE },
    relayIp: { bucket: 'relay-ip', limit: config.RATE_RELAY_REQUESTS_PER_IP_MINUTE, windowMs: MINUTE },
  } satisfies Record<string, RateRule>;
}
