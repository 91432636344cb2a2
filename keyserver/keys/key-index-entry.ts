import { enums } from 'openpgp';
import type { Email, Fingerprint } from '../../shared/identity';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { readStoredCertificate } from './read-stored-certificate';
import { summarizeCertificate } from './summarize-certificate';

/** One key of an HKP `op=index`/`vindex` answer (`pub:` and `uid:` lines), as plain data; times are epoch ms. */
export interface KeyIndexEntry {
  fingerprint: Fingerprint;
  /** RFC 9580 §9.1 public-key algorithm id (1 RSA, 22 EdDSA legacy, 27 Ed25519, ...). */
  algorithm: number;
  /** openpgp.js's name for it (`rsaEncryptSign`, `eddsaLegacy`, `ed25519`): what Mailvelope's REST API shows. */
  algorithmName: string;
  bits: number;
  created: number;
  expires: number | null;
  revoked: boolean;
  expired: boolean;
  userIds: { userId: string; created: number; expires: number | null; revoked: boolean }[];
}

/** The index entry of a stored key, listing only published user IDs (same rule as servableKey). */
export async function keyIndexEntry(
  packets: Uint8Array,
  publishedEmails: readonly Email[],
  now: Date,
): Promise<KeyIndexEntry> {
  const s = summarizeCertificate(await readStoredCertificate(packets, DEFAULT_KEY_LIMITS, now), now);
  const published = new Set(publishedEmails);
  return {
    fingerprint: s.fingerprint,
    algorithm: s.algorithm,
    algorithmName: algorithmName(s.algorithm),
    bits: s.bits,
    created: s.created,
    expires: s.expires,
    revoked: s.revoked,
    expired: s.expires !== null && s.expires <= now.getTime(),
    userIds: s.userIds
      .filter((u) => published.has(u.email))
      .map(({ userId, created, expires, revoked }) => ({ userId, created, expires, revoked })),
  };
}

function algorithmName(id: number): string {
  try {
    return enums.read(enums.publicKey, id);
  } catch {
    return `unknown-${id}`; // openpgp.js throws for an id it has no name for
  }
}
