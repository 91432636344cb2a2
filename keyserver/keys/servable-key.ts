import type { Email } from '../../shared/identity';
import { writeCertificate } from './certificate';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { readStoredCertificate } from './read-stored-certificate';

/**
 * A stored key as lookups serve it: only the user IDs whose address is published (verified), so no response ever
 * reveals an unverified address; the primary key's signatures and revocations and all subkeys always, so
 * revocations reach clients. With no published address this is a key without user IDs: GnuPG refuses to import
 * such a key when it is new to it ("no user ID") but merges it into a copy it already has, which is what carries a
 * revocation to it (see gnupg-interop.test.ts).
 */
export async function servableKey(
  packets: Uint8Array,
  publishedEmails: readonly Email[],
  now: Date,
): Promise<Uint8Array> {
  // Stored keys are within the limits already; the defaults only feed the parser's own caps.
  const cert = await readStoredCertificate(packets, DEFAULT_KEY_LIMITS, now);
  const published = new Set(publishedEmails);
  return writeCertificate({ ...cert, userIds: cert.userIds.filter((u) => published.has(u.email)) });
}
