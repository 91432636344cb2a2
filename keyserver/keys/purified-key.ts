import { invalidInput } from '../../shared/errors';
import type { Email, Fingerprint, KeyId } from '../../shared/identity';
import { writeCertificate, type Certificate } from './certificate';
import type { KeyLimits } from './key-limits';
import { keyRefusals } from './key-refusals';
import { summarizeCertificate } from './summarize-certificate';

/** A key that passed the policy, as bytes plus the plain facts the directory needs. */
export interface PurifiedKey {
  fingerprint: Fingerprint;
  version: 4 | 6;
  /** Primary and every legitimately bound subkey (signing subkeys only with a valid back-signature). */
  keyIds: KeyId[];
  /** Addresses of self-signed, non-revoked user IDs: candidates for publishing, none of them verified yet. */
  emails: Email[];
  /** Addresses whose every user ID on the key is revoked (VKS reports them as `revoked`). */
  revokedEmails: Email[];
  /** The purified key, binary. */
  packets: Uint8Array;
  /** Epoch ms. */
  created: number;
  /** Epoch ms, or null if the key does not expire. */
  expires: number | null;
  revoked: boolean;
  /** At `now`, by openpgp.js's default rules: an unrevoked, unexpired encryption-capable (sub)key. */
  canEncrypt: boolean;
}

/** Writes a normalized certificate and checks what only the whole key can show. */
export function toPurifiedKey(cert: Certificate, limits: KeyLimits, now: Date): PurifiedKey {
  if (cert.packet.version === 6 && cert.directSignatures.length === 0) {
    // RFC 9580 §10.1: a v6 key's expiry, flags and preferences live in its direct-key self-signature.
    throw invalidInput(
      `Key ${cert.fingerprint} is a version 6 key without a valid direct-key self-signature, so no software can use it.`,
    );
  }
  const packets = writeCertificate(cert);
  if (packets.length > limits.maxKeyBytes) {
    throw keyRefusals.tooLarge(
      `Even without third-party signatures, photos and old self-signatures, key ${cert.fingerprint}`,
      packets.length,
      limits.maxKeyBytes,
    );
  }
  const s = summarizeCertificate(cert, now);
  const emails = [...new Set(s.userIds.filter((u) => !u.revoked).map((u) => u.email))];
  return {
    fingerprint: s.fingerprint,
    version: s.version,
    keyIds: s.keyIds,
    emails,
    revokedEmails: [...new Set(s.userIds.map((u) => u.email))].filter((e) => !emails.includes(e)),
    packets,
    created: s.created,
    expires: s.expires,
    revoked: s.revoked,
    canEncrypt: s.canEncrypt,
  };
}
