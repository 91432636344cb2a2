import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { invalidInput } from '../errors';
import type { Email, Fingerprint } from '../identity';

/** The version of the texts below; a new one would be a new protocol, never a silent change. */
export const LEGACY_FORMAT = 1;

/**
 * What a trusted person gets: `key`, the owner's whole private key. A second kind (only files shared from then on)
 * would need a dedicated legacy key on the owner's side and is not built; see docs/legacy.md.
 */
export const GRANT_KINDS = ['key'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

/** The waiting period, in whole days of 24 hours on the keyserver's clock. */
export const WAITING_DAYS = Object.freeze({ min: 1, max: 90 });
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A grant's terms (docs/legacy.md, "The grant"): what the owner signs, and the server and trusted person check. */
export interface GrantTerms {
  /** 32 lower-case hex digits, random, chosen by the owner's device; never reused. */
  grantId: string;
  /** 1, then one more for each change. */
  version: number;
  ownerAddress: Email;
  ownerFingerprint: Fingerprint;
  trustedAddress: Email;
  /** The fingerprint the owner pinned for the trusted person: the payload is encrypted to it alone. */
  trustedFingerprint: Fingerprint;
  waitingDays: number;
  kind: GrantKind;
  /** When this version was signed (epoch ms, the owner's clock): shown, never used to measure the wait. */
  createdAt: number;
  /** SHA-256 of the armored payload as sent (UTF-8), lower-case hex. */
  payloadSha256: string;
}

/**
 * The exact text the owner signs. Both sides build it from the fields; nothing is ever parsed out of signed text,
 * so a value with a line break (which no parsed field can hold) is refused rather than allowed to add a line.
 */
export function grantTermsText(t: GrantTerms): string {
  return lines([
    'Keyward digital legacy grant',
    `format: ${LEGACY_FORMAT}`,
    `grant: ${t.grantId}`,
    `version: ${t.version}`,
    `owner: ${t.ownerAddress}`,
    `owner-key: ${t.ownerFingerprint}`,
    `trusted: ${t.trustedAddress}`,
    `trusted-key: ${t.trustedFingerprint}`,
    `waiting-days: ${t.waitingDays}`,
    `kind: ${t.kind}`,
    `created: ${new Date(t.createdAt).toISOString()}`,
    `payload-sha256: ${t.payloadSha256}`,
  ]);
}

/** SHA-256 of the armored payload, as the terms name it. */
export function payloadSha256(payload: string): string {
  return bytesToHex(sha256(utf8ToBytes(payload)));
}

/** Internal: one field a line, each line free of control characters. */
export function lines(parts: string[]): string {
  // eslint-disable-next-line no-control-regex
  if (parts.some((p) => /[\u0000-\u001f\u007f]/.test(p))) {
    throw invalidInput('A signed legacy text cannot hold control characters.');
  }
  return `${parts.join('\n')}\n`;
}
