import { invalidInput } from '../errors';
import { Email } from '../identity';
import { publicKeyOf, signText, summarizeKey, type KeyInput, type UnlockedKey } from '../openpgp';
import { grantTermsText, payloadSha256, WAITING_DAYS, type GrantKind, type GrantTerms } from './grant-terms';
import type { GrantUpload } from './legacy-api';
import { sealLegacyPayload } from './legacy-payload';

export interface GrantChoice {
  /** The owner's unlocked key: it signs the terms and is what the trusted person will receive. */
  ownerKey: UnlockedKey;
  ownerAddress: string;
  trustedAddress: string;
  /** The trusted person's key as pinned for their address (a private key is used by its public part). */
  trustedKey: KeyInput;
  waitingDays: number;
  kind?: GrantKind;
}

/**
 * One version of a grant, made on the owner's device (docs/legacy.md, "The grant"): the payload sealed for the
 * trusted key, the terms naming both fingerprints and the payload's hash, and the owner's signature over them.
 * Nothing in it opens without the trusted person's private key.
 */
export async function makeGrantUpload(
  choice: GrantChoice & { grantId: string; version: number; date: Date },
): Promise<GrantUpload> {
  const { date } = choice;
  const ownerAddress = Email.parse(choice.ownerAddress);
  const trustedAddress = Email.parse(choice.trustedAddress);
  if (ownerAddress === trustedAddress) throw invalidInput('You cannot name yourself as your trusted person.');
  const days = choice.waitingDays;
  if (!Number.isInteger(days) || days < WAITING_DAYS.min || days > WAITING_DAYS.max) {
    throw invalidInput(`The waiting period is ${WAITING_DAYS.min} to ${WAITING_DAYS.max} whole days.`);
  }
  const owner = await summarizeKey(choice.ownerKey, { date });
  if (!owner.isPrivate || owner.isLocked) throw invalidInput('Unlock your key first.');
  if (!owner.canSign) throw invalidInput('Your key cannot sign at this date (revoked or expired?).');
  if (!owner.emails.includes(ownerAddress))
    throw invalidInput(`Your key has no user id for ${ownerAddress}.`);
  const trustedPublic = await publicKeyOf(choice.trustedKey);
  const trusted = await summarizeKey(trustedPublic, { date });
  if (!trusted.emails.includes(trustedAddress)) {
    throw invalidInput(`The trusted person's key has no valid user id for ${trustedAddress}.`);
  }
  if (!trusted.canSign) {
    throw invalidInput(
      "The trusted person's key cannot sign, so they could never prove it is theirs when they ask for access.",
    );
  }
  if (trusted.fingerprint === owner.fingerprint) throw invalidInput('The trusted key is your own key.');
  const payload = await sealLegacyPayload({ ownerKey: choice.ownerKey, trustedKey: trustedPublic, date });
  const terms: GrantTerms = {
    grantId: choice.grantId,
    version: choice.version,
    ownerAddress,
    ownerFingerprint: owner.fingerprint,
    trustedAddress,
    trustedFingerprint: trusted.fingerprint,
    waitingDays: days,
    kind: choice.kind ?? 'key',
    createdAt: date.getTime(),
    payloadSha256: payloadSha256(payload),
  };
  return {
    terms,
    termsSignature: await signText({ key: choice.ownerKey, text: grantTermsText(terms), date }),
    ownerKey: await publicKeyOf(choice.ownerKey),
    trustedKey: trustedPublic,
    payload,
  };
}
