import { decryptSessionKeys, encryptSessionKey, enums, readMessage, type Key, type PublicKey } from 'openpgp';
import { concatBytes } from '../bytes';
import { KeywardError, invalidInput } from '../errors';
import type { Fingerprint } from '../identity';
import { toByteStream, type Bytes } from './byte-streams';
import { decryptionError } from './decryption-error';
import { readMessageHead, type MessageHead } from './message-head';
import type { UnlockedKey } from './lock-key';
import { PROFILE_CONFIG, READ_CONFIG } from './profile';
import { parseKey, parsePrivateKey, type KeyInput } from './read-keys';
import { summarizeParsedKey } from './summarize-key';

export interface AddRecipientsOptions {
  /** A binary encrypted file (`.pgp`/`.gpg`). */
  ciphertext: Bytes;
  /** The user's unlocked keys: one of them must be a recipient already. */
  keys: readonly UnlockedKey[];
  /** Public keys to add; keys that are recipients already are left out. */
  recipients: readonly KeyInput[];
  date: Date;
}

export interface WithRecipientsAdded {
  /** The same file with one more key packet per new recipient; everything after the key packets, byte for byte. */
  ciphertext: ReadableStream<Uint8Array>;
  added: Fingerprint[];
}

const AEAD_NAMES: Record<number, enums.aeadNames> = { 1: 'eax', 2: 'ocb', 3: 'gcm' };
const SEIPD = 18;

/**
 * Share later: gives more people access to an encrypted file without re-encrypting it. The session key is
 * decrypted with one of the user's keys and encrypted again to each new recipient (RFC 9580 §5.1: one
 * public-key encrypted session key packet each). The new packets go after the existing ones, and everything
 * from the encrypted data packet on is passed through unchanged, streamed, so a large file costs no memory.
 * Not one of the user's files: `forbidden`. Not a binary encrypted file: `invalid_input`.
 */
export async function addRecipients(options: AddRecipientsOptions): Promise<WithRecipientsAdded> {
  const reader = toByteStream(options.ciphertext).getReader();
  const head = await readMessageHead(reader);
  const sessionKeyPackets = head.bytes.subarray(0, head.dataOffset);

  let message;
  try {
    message = await readMessage({ binaryMessage: sessionKeyPackets, config: READ_CONFIG });
  } catch (error) {
    throw decryptionError(error, 'start');
  }
  const keys = await Promise.all(options.keys.map((k) => parsePrivateKey(k)));
  let sessionKey;
  try {
    [sessionKey] = await decryptSessionKeys({
      message,
      decryptionKeys: keys,
      date: options.date,
      config: READ_CONFIG,
    });
  } catch {
    sessionKey = undefined;
  }
  if (!sessionKey) {
    throw new KeywardError(
      'forbidden',
      'This file is not encrypted for any of your keys, so you cannot share it.',
    );
  }
  const { algorithm, aeadAlgorithm } = cipherOf(head, sessionKey.algorithm);

  const existing = new Set(message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase()));
  const newKeys: PublicKey[] = [];
  const added: Fingerprint[] = [];
  for (const input of options.recipients) {
    const parsed = await parseKey(input);
    const key: Key = parsed.isPrivate() ? parsed.toPublic() : parsed;
    const summary = await summarizeParsedKey(key, options.date);
    if (!summary.canEncrypt)
      throw invalidInput(`The key ${summary.fingerprint} cannot receive encrypted files.`);
    const ids = key.getKeyIDs().map((id) => id.toHex().toUpperCase());
    if (ids.some((id) => existing.has(id)) || added.includes(summary.fingerprint)) continue;
    newKeys.push(key);
    added.push(summary.fingerprint);
  }

  const packets =
    newKeys.length === 0
      ? new Uint8Array(0)
      : await encryptSessionKey({
          data: sessionKey.data,
          algorithm,
          ...(aeadAlgorithm ? { aeadAlgorithm } : {}),
          encryptionKeys: newKeys,
          format: 'binary',
          date: options.date,
          config: PROFILE_CONFIG,
        });
  const rest = head.bytes.subarray(head.dataOffset);
  const ciphertext = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(concatBytes([sessionKeyPackets, packets]));
      if (rest.length > 0) controller.enqueue(rest);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { ciphertext, added };
}

/** The symmetric cipher (and AEAD mode for SEIPDv2) the new key packets must name. */
function cipherOf(
  head: MessageHead,
  fromSessionKey: string | null,
): { algorithm: enums.symmetricNames; aeadAlgorithm?: enums.aeadNames } {
  if (head.dataTag !== SEIPD) {
    throw invalidInput('This file uses an encryption format Keyward does not share (not RFC 9580 SEIPD).');
  }
  const body = head.bytes.subarray(head.dataBodyOffset);
  if (body[0] === 2) {
    // RFC 9580 §5.13.2: version 2 names the cipher and AEAD mode itself; its key packets are version 6.
    return {
      algorithm: enums.read(enums.symmetric, body[1]!),
      aeadAlgorithm: AEAD_NAMES[body[2]!] ?? unknownAead(body[2]!),
    };
  }
  if (body[0] === 1 && fromSessionKey) return { algorithm: fromSessionKey as enums.symmetricNames };
  throw invalidInput('This file’s encrypted data packet is of an unknown version.');
}

function unknownAead(id: number): never {
  throw invalidInput(`This file uses an unknown AEAD mode (${id}).`);
}
