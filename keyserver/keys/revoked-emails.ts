import type { Email } from '../../shared/identity';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { readStoredCertificate } from './read-stored-certificate';
import { summarizeCertificate } from './summarize-certificate';

/** The addresses of a stored key whose every user ID is revoked, as `PurifiedKey.revokedEmails` has them. */
export async function revokedEmails(packets: Uint8Array, now: Date): Promise<Email[]> {
  const { userIds } = summarizeCertificate(
    await readStoredCertificate(packets, DEFAULT_KEY_LIMITS, now),
    now,
  );
  const live = new Set(userIds.filter((u) => !u.revoked).map((u) => u.email));
  return [...new Set(userIds.map((u) => u.email))].filter((e) => !live.has(e));
}
