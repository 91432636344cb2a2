import { isKeywardError } from '../errors';
import type { Fingerprint } from '../identity';
import { verifyTextSignature, type KeyInput } from '../openpgp';
import { DAY_MS, grantTermsText, type GrantTerms } from './grant-terms';
import { legacyError } from './legacy-api';

/**
 * Checks that the owner signed these terms: the signature verifies with `ownerKey` (armored or binary; the keyserver
 * passes its merged copy), whose fingerprint is the terms' owner key. Signatures made up to a day after `now` pass,
 * for the owner's clock. Returns when they were signed. Anything else: `terms_invalid`.
 */
export async function verifyGrantTerms(options: {
  terms: GrantTerms;
  termsSignature: string;
  ownerKey: KeyInput;
  now: Date;
}): Promise<{ signedAt: number }> {
  let signer: { fingerprint: Fingerprint; signedAt: number };
  try {
    signer = await verifyTextSignature({
      text: grantTermsText(options.terms),
      signature: options.termsSignature,
      key: options.ownerKey,
      date: new Date(options.now.getTime() + DAY_MS),
    });
  } catch (e) {
    if (!isKeywardError(e)) throw e;
    throw legacyError('terms_invalid', 'The grant’s terms are not signed by its owner key.');
  }
  if (signer.fingerprint !== options.terms.ownerFingerprint) {
    throw legacyError('terms_invalid', 'The grant’s terms are signed by another key than its owner key.');
  }
  return { signedAt: signer.signedAt };
}
