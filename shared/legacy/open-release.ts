import { invalidInput } from '../errors';
import { Fingerprint, type Email } from '../identity';
import { summarizeKey, type UnlockedKey } from '../openpgp';
import { DAY_MS, payloadSha256 } from './grant-terms';
import type { ReleaseAnswer } from './legacy-api';
import { openLegacyPayload } from './legacy-payload';
import { verifyGrantTerms } from './verify-grant-terms';

export interface ReleasedKey {
  /** The owner's private key, unprotected: the vault locks it under a passphrase the trusted person chooses. */
  ownerKey: UnlockedKey;
  ownerFingerprint: Fingerprint;
  ownerAddress: Email;
  grantId: string;
  version: number;
}

/**
 * Checks a released grant end to end before anything is imported, trusting nothing the keyserver says: the terms
 * name this trusted key and are signed by the owner key sent along, the payload is the one they name, it opens with
 * the trusted key, is signed by the owner key and holds exactly that key. With `expectedOwnerFingerprint` (the key
 * the trusted person has pinned for the owner), a key the keyserver made up itself is refused too: without it, a
 * hostile keyserver could hand over a self-consistent grant of its own making.
 */
export async function openRelease(options: {
  release: ReleaseAnswer;
  trustedKey: UnlockedKey;
  expectedOwnerFingerprint?: string | undefined;
  now: Date;
}): Promise<ReleasedKey> {
  const { terms, termsSignature, ownerKey, payload } = options.release;
  const trusted = await summarizeKey(options.trustedKey, { date: options.now });
  if (terms.trustedFingerprint !== trusted.fingerprint) {
    throw invalidInput('This grant is for another key than yours.');
  }
  if (
    options.expectedOwnerFingerprint !== undefined &&
    Fingerprint.parse(options.expectedOwnerFingerprint) !== terms.ownerFingerprint
  ) {
    throw invalidInput(
      `This grant's owner key ${Fingerprint.format(terms.ownerFingerprint)} is not the key you have for ${terms.ownerAddress}.`,
    );
  }
  await verifyGrantTerms({ terms, termsSignature, ownerKey, now: options.now });
  if (payloadSha256(payload) !== terms.payloadSha256) {
    throw invalidInput('The payload is not the one the owner signed.');
  }
  const key = await openLegacyPayload({
    payload,
    trustedKey: options.trustedKey,
    ownerKey,
    date: new Date(Math.max(options.now.getTime(), terms.createdAt) + DAY_MS),
  });
  return {
    ownerKey: key,
    ownerFingerprint: terms.ownerFingerprint,
    ownerAddress: terms.ownerAddress,
    grantId: terms.grantId,
    version: terms.version,
  };
}
