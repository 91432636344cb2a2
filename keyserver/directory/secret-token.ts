import { createHash, randomBytes } from 'node:crypto';

/** A mailed token: 256 random bits for the link, only its SHA-256 in the store (a database leak confirms nothing). */
export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSecretToken(token) };
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Tokens as they appear in links: 43 base64url characters. Anything else is refused before touching the store. */
export function isWellFormedSecretToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
