import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Email } from '../../shared/identity';
import type { CodePurpose } from '../store/escrow-ports';

/** Bearer tokens, login ids and device tokens: 256 random bits, base64url; only their SHA-256 is stored. */
export function newBearer(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token) };
}

export const isWellFormedBearer = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Equal-time comparison of two hex digests (a verifier hash against the stored one). */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A mailed one-time code: 8 decimal digits, easy to type. */
export function newCode(): string {
  return randomInt(0, 100_000_000).toString().padStart(8, '0');
}

/** The key one-time codes are hashed under, derived from the keyserver secret for this one use. */
export function codeKeyFrom(serverSecret: Uint8Array): Uint8Array {
  return createHmac('sha256', serverSecret).update('keyward/escrow/v1/code-hash').digest();
}

/**
 * A code has only 10^8 values, so a plain hash in a stolen database would give it away at once: the store holds
 * HMAC(key, purpose, address, code), which needs the keyserver secret. It also binds the code to its address and
 * purpose.
 */
export function hashCode(key: Uint8Array, address: Email, purpose: CodePurpose, code: string): string {
  return createHmac('sha256', key).update(`${purpose}\n${address}\n${code}`).digest('hex');
}
