import { config as openpgpDefaults, enums, type PublicSubkeyPacket, type SignaturePacket } from 'openpgp';
import { Fingerprint, type Email, type KeyId } from '../../shared/identity';
import type { Certificate, KeptSignature, UserIdComponent } from './certificate';

export interface UserIdSummary {
  readonly userId: string;
  readonly email: Email;
  /** When its current self-signature was made, epoch ms. */
  readonly created: number;
  /** When its current self-signature expires (RFC 9580 §5.2.3.18), epoch ms, or null. */
  readonly expires: number | null;
  readonly revoked: boolean;
}

export interface CertificateSummary {
  readonly fingerprint: Fingerprint;
  readonly version: 4 | 6;
  readonly keyIds: KeyId[];
  readonly algorithm: number;
  readonly bits: number;
  readonly created: number;
  readonly expires: number | null;
  readonly revoked: boolean;
  readonly canEncrypt: boolean;
  readonly userIds: UserIdSummary[];
}

/**
 * Plain facts about a purified certificate at `now`. Every signature in it already passed the policy, so this only
 * reads them: the newest self-signature of a component is its current state.
 */
export function summarizeCertificate(cert: Certificate, now: Date): CertificateSummary {
  const userIds = cert.userIds.map(summarizeUserId);
  const primarySig = primarySelfSignature(cert, userIds);
  let expires = primarySig ? keyExpiry(cert.packet.created, primarySig) : Infinity;
  const direct = newest(cert.directSignatures);
  if (direct && cert.packet.version !== 6)
    expires = Math.min(expires, keyExpiry(cert.packet.created, direct.packet));
  const revoked = cert.revocations.length > 0;
  const expired = expires <= now.getTime();
  const keyIds = [
    cert.fingerprint,
    ...cert.subkeys.map((s) => Fingerprint.parse(s.packet.getFingerprint())),
  ].map((f) => Fingerprint.keyId(f));
  const encryptingSubkey = cert.subkeys.some((s) => {
    const binding = newest(s.bindings);
    return (
      !!binding &&
      s.revocations.length === 0 &&
      keyExpiry(s.packet.created, binding.packet) > now.getTime() &&
      canEncryptWith(s.packet, binding.packet)
    );
  });
  const encryptingPrimary = !!primarySig && canEncryptWith(cert.packet, primarySig);
  return {
    fingerprint: cert.fingerprint,
    version: cert.packet.version === 6 ? 6 : 4,
    keyIds: [...new Set(keyIds)],
    algorithm: cert.packet.algorithm,
    bits: keyBits(cert.packet),
    created: cert.packet.created.getTime(),
    expires: Number.isFinite(expires) ? expires : null,
    revoked,
    canEncrypt: !revoked && !expired && (encryptingSubkey || encryptingPrimary),
    userIds,
  };
}

function summarizeUserId(u: UserIdComponent): UserIdSummary {
  const cert = newest(u.certifications)!; // normalizeCertificate keeps only user IDs with one
  const revocation = newest(u.revocations);
  const sigExpiry = cert.packet.getExpirationTime();
  return {
    userId: u.packet.userID,
    email: u.email,
    created: cert.created,
    expires: sigExpiry === Infinity ? null : (sigExpiry as Date).getTime(),
    // GnuPG's rule: a user ID revocation holds until a newer self-signature re-validates the user ID.
    revoked: !!revocation && revocation.created >= cert.created,
  };
}

/**
 * The self-signature that states the key's expiry and flags: for v6 the newest direct-key signature (RFC 9580
 * §10.1); for v4, as openpgp.js and GnuPG do, the current self-signature of the primary (else newest) user ID.
 */
function primarySelfSignature(cert: Certificate, userIds: UserIdSummary[]): SignaturePacket | null {
  if (cert.packet.version === 6) return newest(cert.directSignatures)?.packet ?? null;
  const live = cert.userIds.filter((_, i) => !userIds[i]!.revoked);
  const candidates = (live.length > 0 ? live : cert.userIds).map((u) => newest(u.certifications)!);
  candidates.sort(
    (a, b) =>
      Number(!!b.packet.isPrimaryUserID) - Number(!!a.packet.isPrimaryUserID) || b.created - a.created,
  );
  return candidates[0]?.packet ?? null;
}

function newest(sigs: readonly KeptSignature[]): KeptSignature | undefined {
  return sigs.reduce<KeptSignature | undefined>(
    (best, s) => (!best || s.created > best.created ? s : best),
    undefined,
  );
}

/** RFC 9580 §5.2.3.13 (seconds after key creation; 0 or absent: never), bounded by the signature's own expiry. */
function keyExpiry(keyCreated: Date, sig: SignaturePacket): number {
  const keyExp =
    sig.keyNeverExpires === false ? keyCreated.getTime() + sig.keyExpirationTime! * 1000 : Infinity;
  const sigExp = sig.getExpirationTime();
  return Math.min(keyExp, sigExp === Infinity ? Infinity : (sigExp as Date).getTime());
}

const ENCRYPTION_FLAGS = 0x0c; // encrypt communications | encrypt storage, RFC 9580 §5.2.3.29
const ENCRYPTION_ALGORITHMS = new Set<number>([
  enums.publicKey.rsaEncryptSign,
  enums.publicKey.rsaEncrypt,
  enums.publicKey.elgamal,
  enums.publicKey.ecdh,
  enums.publicKey.x25519,
  enums.publicKey.x448,
]);

/** As openpgp.js (default policy) decides it: flags say so, and the algorithm is neither refused nor too weak. */
function canEncryptWith(key: Certificate['packet'] | PublicSubkeyPacket, sig: SignaturePacket): boolean {
  const flags = sig.keyFlags?.[0];
  if (!ENCRYPTION_ALGORITHMS.has(key.algorithm) || flags === undefined || (flags & ENCRYPTION_FLAGS) === 0)
    return false;
  if (openpgpDefaults.rejectPublicKeyAlgorithms.has(key.algorithm)) return false;
  const info = key.getAlgorithmInfo();
  if (info.bits !== undefined && info.bits < openpgpDefaults.minRSABits) return false;
  return !(info.curve && openpgpDefaults.rejectCurves.has(info.curve as enums.curve));
}

const CURVE_BITS: Record<string, number> = {
  ed25519Legacy: 255,
  curve25519Legacy: 255,
  nistP256: 256,
  nistP384: 384,
  nistP521: 521,
  secp256k1: 256,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};
const ALGORITHM_BITS: Partial<Record<number, number>> = {
  [enums.publicKey.x25519]: 255,
  [enums.publicKey.ed25519]: 255,
  [enums.publicKey.x448]: 448,
  [enums.publicKey.ed448]: 448,
};

/** Modulus size for RSA/DSA/ElGamal, curve size for ECC: what GnuPG shows as the key length. */
function keyBits(key: Certificate['packet']): number {
  const info = key.getAlgorithmInfo();
  return info.bits ?? CURVE_BITS[info.curve ?? ''] ?? ALGORITHM_BITS[key.algorithm] ?? 0;
}
