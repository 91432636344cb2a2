import { createHmac, timingSafeEqual } from 'node:crypto';
import { KeywardError } from '../../shared/errors';
import { Fingerprint } from '../../shared/identity';

/**
 * The VKS upload token: proof that the caller uploaded this key recently, which request-verify needs before it
 * mails anyone. Stateless (an HMAC over fingerprint and expiry with the server secret) so it works on any keyserver
 * process sharing the secret and needs no store writes; it grants nothing but "send verification mails for
 * addresses already on this public key", which are rate-limited per address anyway.
 */
export interface UploadTokens {
  issue(fingerprint: Fingerprint, now: number): string;
  /** The fingerprint the token was issued for; forbidden when forged or expired. */
  check(token: string, now: number): Fingerprint;
}

export function createUploadTokens(secret: Uint8Array, ttlMs: number): UploadTokens {
  const mac = (payload: string) => createHmac('sha256', secret).update(`upload/v1:${payload}`).digest();
  return {
    issue(fingerprint, now) {
      const payload = `${fingerprint}.${now + ttlMs}`;
      return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
    },
    check(token, now) {
      const invalid = new KeywardError(
        'forbidden',
        'This upload token is invalid or has expired; upload the key again.',
      );
      const [encoded, tag, extra] = token.split('.');
      if (encoded === undefined || tag === undefined || extra !== undefined || token.length > 400)
        throw invalid;
      const payload = Buffer.from(encoded, 'base64url').toString();
      const given = Buffer.from(tag, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
      const [fpr, expires] = payload.split('.');
      if (fpr === undefined || expires === undefined || Number(expires) < now) throw invalid;
      return Fingerprint.parse(fpr);
    },
  };
}
