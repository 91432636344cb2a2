import { concatBytes } from '../../shared/bytes';
import type { PublicKeyPacket, PublicSubkeyPacket, SignaturePacket, UserIDPacket } from 'openpgp';
import type { Email, Fingerprint } from '../../shared/identity';
import type { RawPacket } from './scan-packets';

/**
 * A key as this folder works on it: every packet kept as the bytes that arrived (so nothing is re-encoded) beside
 * the openpgp.js object parsed from them. Only signatures that passed the policy are in here.
 */
export interface Certificate {
  readonly raw: RawPacket;
  readonly packet: PublicKeyPacket;
  readonly fingerprint: Fingerprint;
  readonly directSignatures: readonly KeptSignature[];
  readonly revocations: readonly KeptSignature[];
  readonly userIds: readonly UserIdComponent[];
  readonly subkeys: readonly SubkeyComponent[];
}

export interface KeptSignature {
  readonly raw: RawPacket;
  readonly packet: SignaturePacket;
  /** Creation time, epoch ms. */
  readonly created: number;
}

export interface UserIdComponent {
  readonly raw: RawPacket;
  readonly packet: UserIDPacket;
  readonly email: Email;
  readonly certifications: readonly KeptSignature[];
  readonly revocations: readonly KeptSignature[];
}

export interface SubkeyComponent {
  readonly raw: RawPacket;
  readonly packet: PublicSubkeyPacket;
  readonly bindings: readonly KeptSignature[];
  readonly revocations: readonly KeptSignature[];
}

/** Binary transferable public key in RFC 9580 §10.1 order: primary, its signatures, user IDs, subkeys. */
export function writeCertificate(cert: Certificate): Uint8Array {
  const parts: Uint8Array[] = [cert.raw.bytes];
  const sigs = (list: readonly KeptSignature[]) => list.forEach((s) => parts.push(s.raw.bytes));
  sigs(cert.revocations);
  sigs(cert.directSignatures);
  for (const u of cert.userIds) {
    parts.push(u.raw.bytes);
    sigs(u.certifications);
    sigs(u.revocations);
  }
  for (const s of cert.subkeys) {
    parts.push(s.raw.bytes);
    sigs(s.bindings);
    sigs(s.revocations);
  }
  return concatBytes(parts);
}
