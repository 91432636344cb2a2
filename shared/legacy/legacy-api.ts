import { z } from 'zod';
import { type ErrorCode, KeywardError } from '../errors';
import { Email, Fingerprint } from '../identity';
import { GRANT_KINDS, WAITING_DAYS, type GrantTerms } from './grant-terms';

/**
 * The digital-legacy API under /legacy/v1 (docs/legacy.md): one set of Zod schemas that the keyserver's routes parse
 * requests with and the client parses answers with, so the contract is written once. Addresses and fingerprints
 * become value types here (a bad one throws its own `invalid_input`).
 */

export const LEGACY_LIMITS = Object.freeze({
  /** An armored public key: the keyserver's own key size cap (32 KiB binary) plus armor. */
  maxKeyChars: 48 * 1024,
  /** The armored payload: a private key with its subkeys, signed and encrypted. */
  maxPayloadChars: 64 * 1024,
  maxSignatureChars: 8 * 1024,
  /** The largest request body: two public keys, a payload, a signature and the terms. */
  bodyLimit: 192 * 1024,
});

/** Why the keyserver refused, stable across versions; each rides on a general KeywardError code. */
export const LEGACY_REASONS = {
  /** The challenge is unknown, used or expired: get a new one. */
  challenge_invalid: 'forbidden',
  /** The signature does not verify with the key sent (or that key is revoked or expired). */
  proof_invalid: 'forbidden',
  /** A valid proof, but not by the owner of that address. */
  not_owner: 'forbidden',
  /** The escrow session is missing, wrong or expired. */
  unauthorized: 'forbidden',
  /** The owner key is neither the one published here for the owner's address nor that of their key backup. */
  owner_key_unknown: 'forbidden',
  /** The terms, their signature, the keys or the payload do not fit together. */
  terms_invalid: 'invalid_input',
  /** No grant with that id has the prover as owner or trusted person (unknown and foreign grants alike). */
  no_grant: 'not_found',
  grant_exists: 'conflict',
  /** A change whose version is not the next one. */
  stale: 'conflict',
  grant_revoked: 'conflict',
  too_many_grants: 'conflict',
  /** Nothing is pending with that request id. */
  no_request: 'conflict',
  /** No released request for this version of the grant. */
  not_released: 'forbidden',
  /** The owner refused a request less than a week ago. */
  cooling_down: 'rate_limited',
} as const satisfies Record<string, ErrorCode>;

export type LegacyReason = keyof typeof LEGACY_REASONS;

export function legacyError(
  reason: LegacyReason,
  message: string,
  details: Record<string, string | number> = {},
): KeywardError {
  return new KeywardError(LEGACY_REASONS[reason], message, { ...details, reason });
}

export function isLegacyReason(value: unknown): value is LegacyReason {
  return typeof value === 'string' && Object.hasOwn(LEGACY_REASONS, value);
}

const hex32 = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits');
const address = z
  .string()
  .max(320)
  .transform((s) => Email.parse(s));
const fingerprint = z
  .string()
  .max(80)
  .transform((s) => Fingerprint.parse(s));
const armored = (label: string, max: number) =>
  z
    .string()
    .max(max)
    .regex(
      new RegExp(`^\\s*-----BEGIN PGP ${label}-----`),
      `must be an armored OpenPGP ${label.toLowerCase()}`,
    );
const publicKey = armored('PUBLIC KEY BLOCK', LEGACY_LIMITS.maxKeyChars);
const signature = armored('SIGNATURE', LEGACY_LIMITS.maxSignatureChars);
const time = z.number().int().nonnegative().max(8.64e15);

export const grantIdSchema = hex32;

export const grantTermsSchema = z.object({
  grantId: hex32,
  version: z.number().int().positive().max(1_000_000),
  ownerAddress: address,
  ownerFingerprint: fingerprint,
  trustedAddress: address,
  trustedFingerprint: fingerprint,
  waitingDays: z.number().int().min(WAITING_DAYS.min).max(WAITING_DAYS.max),
  kind: z.enum(GRANT_KINDS),
  createdAt: time,
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
}) satisfies z.ZodType<GrantTerms, unknown>;

/** A signed statement (shared/legacy/statement.ts) and the key that signed it. */
export const proofSchema = z.object({
  challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a challenge from POST /challenges'),
  signature,
  /** The signer's public key: merged with every copy the keyserver has of the same fingerprint before checking. */
  signerKey: publicKey,
});
export type Proof = z.output<typeof proofSchema>;

/** POST /grants and PUT /grants/<id>: a whole version of a grant. */
export const grantUploadSchema = z.object({
  terms: grantTermsSchema,
  termsSignature: signature,
  /** The owner's public key (the keyserver checks it is theirs: published here, or that of their key backup). */
  ownerKey: publicKey,
  /** The trusted person's public key, with the fingerprint the owner pinned. */
  trustedKey: publicKey,
  /** The owner's private key, signed by the owner and encrypted to the trusted key alone. */
  payload: armored('MESSAGE', LEGACY_LIMITS.maxPayloadChars),
});
export type GrantUpload = z.output<typeof grantUploadSchema>;

/** Owner actions: a signed statement, or (without `proof`) an escrow session in Authorization. */
export const ownerActionSchema = z.object({ proof: proofSchema.optional() });
export const refuseSchema = ownerActionSchema.extend({ requestId: hex32 });
export const ownerListSchema = ownerActionSchema.extend({ ownerAddress: address.optional() });
/** Trusted-person actions: always a signed statement. */
export const trustedActionSchema = z.object({ proof: proofSchema });

export const challengeAnswerSchema = z.object({
  challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  expiresAt: time,
  /** The keyserver's clock: clients sign with it, so their own clock's skew does not matter. */
  serverTime: time,
});

export const REQUEST_STATES = ['pending', 'refused', 'released', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const requestViewSchema = z.object({
  id: hex32,
  /** The grant version asked for: a change cancels a pending request, and a released one opens only this version. */
  grantVersion: z.number().int().positive(),
  state: z.enum(REQUEST_STATES),
  requestedAt: time,
  /** When the owner is reminded (if still pending). */
  remindAt: time,
  /** When access is given unless refused: requestedAt + waiting days, on the keyserver's clock. */
  releaseAt: time,
  endedAt: time.nullable(),
});
export type RequestView = z.output<typeof requestViewSchema>;

export const HISTORY_EVENTS = [
  'created',
  'changed',
  'revoked',
  'requested',
  'reminded',
  'refused',
  'released',
  'cancelled',
  'fetched',
] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

export const historyEntrySchema = z.object({
  at: time,
  event: z.enum(HISTORY_EVENTS),
  actor: z.enum(['owner', 'trusted', 'keyserver']),
  /** How the actor proved who they are; null for the keyserver's own steps. */
  proof: z.enum(['signature', 'session']).nullable(),
  /** The client address for rate limits (IPv4, or an IPv6 /64); null for the keyserver's own steps. */
  client: z.string().max(64).nullable(),
  requestId: hex32.nullable(),
});
export type HistoryEntry = z.output<typeof historyEntrySchema>;

/** What the owner sees of a grant. */
export const ownerGrantViewSchema = z.object({
  terms: grantTermsSchema,
  updatedAt: time,
  revokedAt: time.nullable(),
  /** The owner key in the terms is still the one published here for the owner's address (or their backup's). */
  ownerKeyCurrent: z.boolean(),
  /** The pinned trusted key is not revoked here, and no other key is published here for the trusted address. */
  trustedKeyCurrent: z.boolean(),
  request: requestViewSchema.nullable(),
  /** The latest events first. */
  history: z.array(historyEntrySchema),
});
export type OwnerGrantView = z.output<typeof ownerGrantViewSchema>;

/** What the trusted person sees: the signed terms (their client checks them) and where their request stands. */
export const trustedGrantViewSchema = z.object({
  terms: grantTermsSchema,
  termsSignature: signature,
  ownerKey: publicKey,
  revokedAt: time.nullable(),
  request: requestViewSchema.nullable(),
  /** After a refusal: the first time a new request is accepted; null when one may be made now (or never). */
  nextRequestAt: time.nullable(),
});
export type TrustedGrantView = z.output<typeof trustedGrantViewSchema>;

export const ownerGrantAnswerSchema = z.object({ grant: ownerGrantViewSchema });
export const ownerGrantsAnswerSchema = z.object({ grants: z.array(ownerGrantViewSchema) });
export const trustedGrantAnswerSchema = z.object({ grant: trustedGrantViewSchema });
export const trustedGrantsAnswerSchema = z.object({ grants: z.array(trustedGrantViewSchema) });

/** POST /grants/<id>/payload once released: everything the trusted person's client checks before importing. */
export const releaseAnswerSchema = z.object({
  terms: grantTermsSchema,
  termsSignature: signature,
  ownerKey: publicKey,
  payload: armored('MESSAGE', LEGACY_LIMITS.maxPayloadChars),
});
export type ReleaseAnswer = z.output<typeof releaseAnswerSchema>;

/** Every error answer of the keyserver (shared/error-answer.ts); `reason` is set for the legacy reasons above. */
export { errorAnswerSchema } from '../error-answer';
