import { createMessage, decrypt, encrypt, readMessage, readPrivateKey, type Message } from 'openpgp';
import { KeywardError, invalidInput } from '../errors';
import { Fingerprint } from '../identity';
import type { UnlockedKey } from '../openpgp';
import { describeMessage } from '../openpgp/inspect-message';
import { fullConfig, PROFILE_CONFIG, READ_CONFIG } from '../openpgp/profile';
import { parseKey, parsePrivateKey, type KeyInput } from '../openpgp/read-keys';
import { summarizeParsedKey } from '../openpgp/summarize-key';
import { LEGACY_LIMITS } from './legacy-api';

/**
 * The payload of a grant (docs/legacy.md): the owner's whole private key, unprotected, as the literal body of an
 * OpenPGP message signed by the owner and encrypted to the trusted person's pinned key alone. The encryption is the
 * protection: a password inside the same message would add nothing, and the owner's passphrase must not be needed.
 */
export async function sealLegacyPayload(options: {
  ownerKey: UnlockedKey;
  trustedKey: KeyInput;
  date: Date;
}): Promise<string> {
  const owner = await parsePrivateKey(options.ownerKey);
  if (!owner.getKeys().every(({ keyPacket }) => keyPacket.isDecrypted() === true)) {
    throw invalidInput('Unlock the key first: the trusted person must not need your passphrase.');
  }
  const parsed = await parseKey(options.trustedKey);
  const trusted = parsed.isPrivate() ? parsed.toPublic() : parsed;
  const summary = await summarizeParsedKey(trusted, options.date);
  if (!summary.canEncrypt) {
    throw invalidInput(`The trusted person's key ${summary.fingerprint} cannot receive encryption.`);
  }
  try {
    const armored: unknown = await encrypt({
      message: await createMessage({ binary: owner.write(), format: 'binary', date: options.date }),
      encryptionKeys: trusted,
      signingKeys: owner,
      format: 'armored',
      date: options.date,
      config: PROFILE_CONFIG,
    });
    return armored as string;
  } catch (error) {
    throw new KeywardError(
      'invalid_input',
      'The key could not be sealed for the trusted person.',
      {},
      { cause: error },
    );
  }
}

/**
 * Opens a payload with the trusted person's unlocked key: it must be encrypted to public keys only (no password
 * packet), signed by `ownerKey`, and hold exactly that key, unprotected. Returns it, armored, for the vault to lock
 * under a passphrase the trusted person chooses. Not for this key: `forbidden`; anything else amiss: `invalid_input`.
 * `date`: the signature must have been made no later than this (allow for the owner's clock).
 */
export async function openLegacyPayload(options: {
  payload: string;
  trustedKey: UnlockedKey;
  ownerKey: KeyInput;
  date: Date;
}): Promise<UnlockedKey> {
  if (options.payload.length > LEGACY_LIMITS.maxPayloadChars)
    throw invalidInput('This payload is too large.');
  const trusted = await parsePrivateKey(options.trustedKey);
  const ownerParsed = await parseKey(options.ownerKey);
  const owner = ownerParsed.isPrivate() ? ownerParsed.toPublic() : ownerParsed;
  let message: Message<string>;
  try {
    message = await readMessage({ armoredMessage: options.payload, config: READ_CONFIG });
  } catch (cause) {
    throw new KeywardError('invalid_input', 'The payload is not an OpenPGP message.', {}, { cause });
  }
  const info = describeMessage(message);
  if (info.passwordProtected || info.encryption === null || info.encryption === 'unprotected') {
    throw invalidInput('The payload is not a message encrypted to the trusted key alone.');
  }
  let data: Uint8Array;
  try {
    const result: unknown = await decrypt({
      message,
      decryptionKeys: trusted,
      verificationKeys: owner,
      expectSigned: true,
      format: 'binary',
      date: options.date,
      config: READ_CONFIG,
    });
    data = (result as { data: Uint8Array }).data;
  } catch (cause) {
    throw new KeywardError(
      'forbidden',
      'The payload does not open with this key, or it is not signed by the owner.',
      {},
      { cause },
    );
  }
  let key;
  try {
    key = await readPrivateKey({ binaryKey: data, config: READ_CONFIG });
  } catch (cause) {
    throw new KeywardError('invalid_input', 'The payload does not hold a private key.', {}, { cause });
  }
  if (Fingerprint.parse(key.getFingerprint()) !== Fingerprint.parse(owner.getFingerprint())) {
    throw invalidInput('The payload holds another key than the owner’s.');
  }
  if (!key.getKeys().every(({ keyPacket }) => keyPacket.isDecrypted() === true)) {
    throw invalidInput('The payload holds a locked key.');
  }
  return key.armor(fullConfig(READ_CONFIG)) as UnlockedKey;
}
