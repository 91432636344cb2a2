import { z } from 'zod';
import { type ErrorCode, KeywardError } from '../errors';
import { emailSchema, fingerprintSchema } from '../identity';
import { ESCROW_PROFILES, type EscrowProfile } from './profiles';

/**
 * The key-escrow API under /escrow/v1 (docs/escrow.md), written once: the keyserver's routes parse requests with
 * these schemas and the client (escrow-client.ts) parses answers with them. Addresses and fingerprints become
 * value types here.
 */

export const ESCROW_LIMITS = Object.freeze({
  maxEscrowChars: 64 * 1024,
  maxRelayPayloadChars: 64 * 1024,
  /** The largest request body: an escrow, an OPAQUE record and a few short fields. */
  bodyLimit: 96 * 1024,
});

/** What a mailed one-time code is for: opening an account, releasing the key to a new device, a recovery. */
export const CODE_PURPOSES = ['register', 'release', 'recover'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

export const RELAY_SLOTS = ['offer', 'reply'] as const;
export type RelaySlot = (typeof RELAY_SLOTS)[number];

/** Why the keyserver refused, stable across versions; each rides on a general KeywardError code. */
export const ESCROW_REASONS = {
  /** A wrong passphrase or an unknown address (never told apart). */
  login_failed: 'forbidden',
  /** A wrong recovery code, a wrong mailed code, or an unknown address (never told apart). */
  recovery_failed: 'forbidden',
  /** The session or recovery token is missing, wrong or expired. */
  unauthorized: 'forbidden',
  /** A device that never held the key needs the mailed "release" code. */
  code_required: 'forbidden',
  /** The mailed code is wrong, used or expired. */
  code_invalid: 'forbidden',
  account_exists: 'conflict',
  /** A change whose expected version is not the stored one (another device changed it). */
  stale: 'conflict',
  /** A hand-over slot that was written already. */
  slot_taken: 'conflict',
  /** Too many guesses for this address: locked out for a while (Retry-After). */
  locked: 'rate_limited',
} as const satisfies Record<string, ErrorCode>;

export type EscrowReason = keyof typeof ESCROW_REASONS;

export function escrowError(reason: EscrowReason, message: string, retryAfterSeconds?: number): KeywardError {
  return new KeywardError(ESCROW_REASONS[reason], message, {
    reason,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

export function isEscrowReason(value: unknown): value is EscrowReason {
  return typeof value === 'string' && Object.hasOwn(ESCROW_REASONS, value);
}

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const opaqueMessage = base64url(2048);
const code = z.string().max(32);
const verifier = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url');
const profile = z.enum(Object.keys(ESCROW_PROFILES) as [EscrowProfile, ...EscrowProfile[]]);
const escrow = z
  .string()
  .max(ESCROW_LIMITS.maxEscrowChars)
  .regex(/^\s*-----BEGIN PGP MESSAGE-----/, 'must be an armored OpenPGP message');
const token = z.string().min(1).max(64);
const version = z.number().int().positive();

/** Request bodies, by route. */
export const escrowRequests = {
  /** POST /codes */
  codes: z.object({ address: emailSchema, purpose: z.enum(CODE_PURPOSES) }),
  /** POST /register/start */
  registerStart: z.object({ address: emailSchema, registrationRequest: opaqueMessage }),
  /** POST /accounts */
  createAccount: z.object({
    address: emailSchema,
    code,
    registrationRecord: opaqueMessage,
    profile,
    fingerprint: fingerprintSchema,
    escrow,
    recoveryVerifier: verifier,
  }),
  /** POST /login/start */
  loginStart: z.object({ address: emailSchema, startLoginRequest: opaqueMessage }),
  /** POST /login/finish */
  loginFinish: z.object({ loginId: token, finishLoginRequest: opaqueMessage }),
  /** POST /escrow/fetch (with a session) */
  fetch: z.object({ deviceToken: token.optional(), code: code.optional() }),
  /** PUT /escrow (with a session, or the recovery token) */
  update: z.object({
    expectedVersion: version,
    escrow,
    registrationRecord: opaqueMessage.optional(),
    profile: profile.optional(),
    recoveryVerifier: verifier.optional(),
  }),
  /** POST /recover */
  recover: z.object({ address: emailSchema, recoveryAuth: verifier, code }),
  /** The path of /relay/<channel>/<slot> */
  relayPath: z.object({ channel: z.string().regex(/^[0-9a-f]{32}$/), slot: z.enum(RELAY_SLOTS) }),
  /** POST /relay/<channel>/<slot> */
  relayPut: z.object({ payload: base64url(ESCROW_LIMITS.maxRelayPayloadChars) }),
};

// Answers are parsed loosely on the profile: a profile the client does not run is refused by checkProfile with
// its own message, after the answer has been read.
const release = z.object({
  escrow,
  version,
  profile: z.string().max(40),
  fingerprint: fingerprintSchema,
});

/** Answer bodies, by route. */
export const escrowAnswers = {
  registerStart: z.object({ registrationResponse: opaqueMessage }),
  createAccount: z.object({ version, deviceToken: token }),
  loginStart: z.object({ loginId: token, loginResponse: opaqueMessage, profile: z.string().max(40) }),
  loginFinish: z.object({ sessionToken: token, expiresAt: z.number() }),
  /** A device that presented the mailed code gets a device token for next time. */
  fetch: release.extend({ deviceToken: token.optional() }),
  update: z.object({ version }),
  recover: release.extend({ recoveryToken: token, deviceToken: token }),
  relayGet: z.object({ payload: base64url(ESCROW_LIMITS.maxRelayPayloadChars) }),
};
