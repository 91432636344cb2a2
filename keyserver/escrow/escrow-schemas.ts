import { z } from 'zod';
import { Email, Fingerprint } from '../../shared/identity';
import { ESCROW_POLICY as P } from './escrow-deps';

/** The escrow API's request bodies (docs/escrow.md), parsed at the boundary into value types. */

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const address = z
  .string()
  .max(320)
  .transform((s) => Email.parse(s));
const opaqueMessage = base64url(2048);
const code = z.string().max(32);
const verifier = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url');
const profile = z.enum(P.profiles);
const escrow = z
  .string()
  .max(P.maxEscrowChars)
  .regex(/^\s*-----BEGIN PGP MESSAGE-----/, 'must be an armored OpenPGP message');
const token = z.string().max(64);

export const schemas = {
  codes: z.object({ address, purpose: z.enum(['register', 'release', 'recover']) }),
  registerStart: z.object({ address, registrationRequest: opaqueMessage }),
  createAccount: z.object({
    address,
    code,
    registrationRecord: opaqueMessage,
    profile,
    fingerprint: z
      .string()
      .max(80)
      .transform((s) => Fingerprint.parse(s)),
    escrow,
    recoveryVerifier: verifier,
  }),
  loginStart: z.object({ address, startLoginRequest: opaqueMessage }),
  loginFinish: z.object({ loginId: token, finishLoginRequest: opaqueMessage }),
  fetch: z.object({ deviceToken: token.optional(), code: code.optional() }),
  update: z.object({
    expectedVersion: z.number().int().positive(),
    escrow,
    registrationRecord: opaqueMessage.optional(),
    profile: profile.optional(),
    recoveryVerifier: verifier.optional(),
  }),
  recover: z.object({ address, recoveryAuth: verifier, code }),
  relayPath: z.object({ channel: z.string().regex(/^[0-9a-f]{32}$/), slot: z.enum(['offer', 'reply']) }),
  relayPut: z.object({ payload: base64url(P.maxRelayPayloadChars) }),
};
