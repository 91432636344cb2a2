import {
  enums,
  type Config,
  type PublicKeyPacket,
  type PublicSubkeyPacket,
  type SignaturePacket,
  type UserIDPacket,
} from 'openpgp';

/**
 * How far a signature's creation time may lie ahead of our clock. A key made a second ago on a machine whose clock
 * runs ahead would otherwise be refused as "from the future"; 30 minutes is Sequoia's tolerance too.
 */
export const CLOCK_SKEW_MS = 30 * 60 * 1000;

export interface SignatureCheck {
  readonly primary: PublicKeyPacket;
  readonly now: Date;
  readonly config: Config;
  /**
   * Cryptographic verifications left for this upload, shared by all its keys so a flood of forged
   * "self-signatures" costs a bounded amount of CPU. Null for our own stored keys, verified on the way in.
   */
  readonly budget: { remaining: number } | null;
}

/** What a self-signature is over (RFC 9580 §5.2.4): the primary key, plus a user ID or a subkey. */
export interface SignedData {
  readonly key: PublicKeyPacket;
  readonly userID?: UserIDPacket;
  readonly bind?: PublicSubkeyPacket;
}

const REVOCATIONS = new Set<number>([
  enums.signature.keyRevocation,
  enums.signature.subkeyRevocation,
  enums.signature.certRevocation,
]);

/**
 * Whether a signature that claims to be by the primary key really is, and is in force now. The caller has already
 * matched the signature type to where the signature sits.
 */
export async function checkSelfSignature(
  check: SignatureCheck,
  sig: SignaturePacket,
  data: SignedData,
): Promise<boolean> {
  if (!inForce(check, sig, REVOCATIONS.has(sig.signatureType!))) return false;
  if (!(await verified(check, sig, check.primary, data))) return false;
  if (sig.signatureType === enums.signature.subkeyBinding && needsBackSignature(sig, data.bind!)) {
    // RFC 9580 §5.2.3.34: a signing subkey must sign the primary key back. Without it, anyone could bind someone
    // else's signing subkey to their own key and claim that person's signatures.
    const back = sig.embeddedSignature;
    if (!back || back.signatureType !== enums.signature.keyBinding || !inForce(check, back, false))
      return false;
    return verified(check, back, data.bind!, data);
  }
  return true;
}

/** v4 keys make v4 signatures, v6 keys v6 (RFC 9580 §5.2.3); in time; not expired (§5.2.3.18) unless a revocation. */
function inForce(check: SignatureCheck, sig: SignaturePacket, isRevocation: boolean): boolean {
  if (sig.version !== check.primary.version || !sig.created) return false;
  const created = sig.created.getTime();
  if (created > check.now.getTime() + CLOCK_SKEW_MS) return false;
  if (created < check.primary.created.getTime()) return false;
  // Revocations stay in force whatever they say about expiry: they must always reach clients.
  return isRevocation || sig.getExpirationTime() > check.now;
}

async function verified(
  check: SignatureCheck,
  sig: SignaturePacket,
  signer: PublicKeyPacket | PublicSubkeyPacket,
  data: SignedData,
): Promise<boolean> {
  if (!check.budget) return true;
  if (check.budget.remaining <= 0) return false;
  check.budget.remaining -= 1;
  try {
    // Date null: only the cryptography here, the time rules above (with clock-skew tolerance) are ours.
    await sig.verify(signer, sig.signatureType!, data, null as unknown as Date, false, check.config);
    return true;
  } catch {
    return false;
  }
}

const SIGN_OR_CERTIFY = 0x03; // key flags, RFC 9580 §5.2.3.29
const SIGNING_ONLY_ALGORITHMS = new Set<number>([
  enums.publicKey.rsaSign,
  enums.publicKey.dsa,
  enums.publicKey.ecdsa,
  enums.publicKey.eddsaLegacy,
  enums.publicKey.ed25519,
  enums.publicKey.ed448,
]);

/** Certification-capable subkeys too: they could otherwise certify on the victim's behalf (Sequoia does the same). */
function needsBackSignature(binding: SignaturePacket, subkey: PublicSubkeyPacket): boolean {
  const flags = binding.keyFlags?.[0];
  if (flags !== undefined) return (flags & SIGN_OR_CERTIFY) !== 0;
  return SIGNING_ONLY_ALGORITHMS.has(subkey.algorithm);
}
