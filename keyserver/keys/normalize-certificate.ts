import { enums } from 'openpgp';
import type { Certificate, KeptSignature } from './certificate';
import type { KeyLimits } from './key-limits';
import { uniqueSignatures } from './signature-identity';

/**
 * Applies the caps to a certificate whose signatures already passed the policy (one upload, or a stored key and
 * an update put together): repeated user IDs and subkeys become one, each keeps its newest self-signatures and,
 * separately, its newest revocations, and over the count limits the components with the most recent
 * signatures stay.
 *
 * Over-limit components are dropped rather than the key refused: a key at the cap must still take updates,
 * or a revocation could never reach us. The newest activity wins, so a fresh revocation keeps its subkey.
 */
export function normalizeCertificate(cert: Certificate, limits: KeyLimits): Certificate {
  const keep = limits.maxSignaturesPerComponent;
  const userIds = mergeBy(
    cert.userIds,
    (u) => bytesKey(u.raw.body),
    (a, b) => ({
      ...a,
      certifications: [...a.certifications, ...b.certifications],
      revocations: [...a.revocations, ...b.revocations],
    }),
  )
    .map((u) => ({
      ...u,
      certifications: newest(u.certifications, keep),
      revocations: newest(u.revocations, keep),
    }))
    .filter((u) => u.certifications.length > 0);
  const subkeys = mergeBy(
    cert.subkeys,
    (s) => s.packet.getFingerprint(),
    (a, b) => ({
      ...a,
      bindings: [...a.bindings, ...b.bindings],
      revocations: [...a.revocations, ...b.revocations],
    }),
  )
    .map((s) => ({ ...s, bindings: newest(s.bindings, keep), revocations: newest(s.revocations, keep) }))
    .filter((s) => s.bindings.length > 0);
  return {
    ...cert,
    directSignatures: newest(cert.directSignatures, keep),
    revocations: newest(cert.revocations, keep, hardFirst),
    userIds: mostRecentlyActive(userIds, limits.maxUserIds, (u) => [...u.certifications, ...u.revocations]),
    subkeys: mostRecentlyActive(subkeys, limits.maxSubkeys, (s) => [...s.bindings, ...s.revocations]),
  };
}

function newest(
  sigs: readonly KeptSignature[],
  keep: number,
  before: (a: KeptSignature, b: KeptSignature) => number = () => 0,
): KeptSignature[] {
  return uniqueSignatures(sigs)
    .sort((a, b) => before(a, b) || b.created - a.created)
    .slice(0, keep);
}

const SOFT_REASONS = new Set<number>([
  enums.reasonForRevocation.keySuperseded,
  enums.reasonForRevocation.keyRetired,
  enums.reasonForRevocation.userIDInvalid,
]);

/**
 * RFC 9580 §5.2.3.31: "compromised" or no reason is a hard revocation, which also voids past signatures. If a key
 * ever holds more revocations than the cap, the hard ones are the ones that must survive.
 */
function hardFirst(a: KeptSignature, b: KeptSignature): number {
  const soft = (s: KeptSignature) => (SOFT_REASONS.has(s.packet.reasonForRevocationFlag ?? -1) ? 1 : 0);
  return soft(a) - soft(b);
}

function mergeBy<T>(items: readonly T[], key: (item: T) => string, merge: (a: T, b: T) => T): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const seen = byKey.get(k);
    byKey.set(k, seen ? merge(seen, item) : item);
  }
  return [...byKey.values()];
}

function mostRecentlyActive<T>(items: T[], max: number, sigs: (item: T) => KeptSignature[]): T[] {
  if (items.length <= max) return items;
  const latest = (item: T) => Math.max(...sigs(item).map((s) => s.created));
  const kept = new Set([...items].sort((a, b) => latest(b) - latest(a)).slice(0, max));
  return items.filter((item) => kept.has(item)); // keep the key's own order
}

function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Two readings of the same key (a stored key and its update, or a key listed twice in one upload), to normalize. */
export function combineCertificates(a: Certificate, b: Certificate): Certificate {
  return {
    ...a,
    directSignatures: [...a.directSignatures, ...b.directSignatures],
    revocations: [...a.revocations, ...b.revocations],
    userIds: [...a.userIds, ...b.userIds],
    subkeys: [...a.subkeys, ...b.subkeys],
  };
}
