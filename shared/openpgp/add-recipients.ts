import { decryptSessionKeys, encryptSessionKey, enums, readMessage, type Key, type PublicKey } from 'openpgp';
import { concatBytes } from '../bytes';
import { KeywardError, invalidInput } from '../errors';
import type { Fingerprint } from '../identity';
import { isBinaryPacketStart, toByteStream, type Bytes } from './byte-streams';
import { decryptionError } from './decryption-error';
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
const PKESK = 1;
const SKESK = 3;
const SEIPD = 18;
/** Key packets are small; a file whose key packets take more than this is not one we made or can help with. */
const MAX_HEAD_BYTES = 1024 * 1024;

/**
 * Share later: gives more people access to an encrypted file without re-encrypting it. The session key is
 * decrypted with one of the user's keys and encrypted again to each new recipient (RFC 9580 §5.1: one
 * public-key encrypted session key packet each). The new packets go after the existing ones, and everything
 * from the encrypted data packet on is passed through unchanged, streamed, so a large file costs no memory.
 * Not one of the user's files: `forbidden`. Not a binary encrypted file: `invalid_input`.
 */
export async function addRecipients(options: AddRecipientsOptions): Promise<WithRecipientsAdded> {
  const reader = toByteStream(options.ciphertext).getReader();
  const head = await readHead(reader);
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

interface Head {
  /** The file's first bytes: all key packets and the start of the encrypted data packet. */
  bytes: Uint8Array;
  /** Where the encrypted data packet starts. */
  dataOffset: number;
  dataTag: number;
  /** Where that packet's body starts. */
  dataBodyOffset: number;
}

/** Reads the leading session key packets (RFC 9580 §4.2 headers) and the first bytes of the data packet's body. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Head> {
  let bytes: Uint8Array = new Uint8Array(0);
  const more = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (done) return false;
    bytes = concatBytes([bytes, value]);
    return true;
  };
  let offset = 0;
  for (;;) {
    while (bytes.length < offset + 6) if (!(await more())) break;
    const header = packetHeader(bytes, offset);
    if (!header) throw invalidInput('This is not a binary OpenPGP encrypted file (.pgp or .gpg).');
    if (header.tag === PKESK || header.tag === SKESK) {
      if (header.length === undefined) throw invalidInput('This file’s key packets are malformed.');
      offset = header.bodyOffset + header.length;
      if (offset > MAX_HEAD_BYTES) throw invalidInput('This file does not look like an encrypted file.');
      continue;
    }
    if (offset === 0) throw invalidInput('This file carries no encrypted session keys.');
    while (bytes.length < header.bodyOffset + 4) {
      if (!(await more())) throw invalidInput('This file is cut short.');
    }
    return { bytes, dataOffset: offset, dataTag: header.tag, dataBodyOffset: header.bodyOffset };
  }
}

/** A packet header at `at`, or undefined when the bytes there are not one (or not all there yet). */
function packetHeader(
  bytes: Uint8Array,
  at: number,
): { tag: number; bodyOffset: number; length: number | undefined } | undefined {
  const first = bytes[at];
  if (!isBinaryPacketStart(first)) return undefined;
  const b = (i: number) => bytes[at + i] ?? 0;
  if ((first! & 0x40) !== 0) {
    const tag = first! & 0x3f;
    const o1 = b(1);
    if (o1 < 192) return { tag, bodyOffset: at + 2, length: o1 };
    if (o1 < 224) return { tag, bodyOffset: at + 3, length: ((o1 - 192) << 8) + b(2) + 192 };
    if (o1 === 255) {
      const length = ((b(2) << 24) >>> 0) + (b(3) << 16) + (b(4) << 8) + b(5);
      return { tag, bodyOffset: at + 6, length };
    }
    return { tag, bodyOffset: at + 2, length: undefined }; // partial body length: only data packets use it
  }
  const tag = (first! >> 2) & 0x0f;
  switch (first! & 0x03) {
    case 0:
      return { tag, bodyOffset: at + 2, length: b(1) };
    case 1:
      return { tag, bodyOffset: at + 3, length: (b(1) << 8) + b(2) };
    case 2:
      return { tag, bodyOffset: at + 5, length: ((b(1) << 24) >>> 0) + (b(2) << 16) + (b(3) << 8) + b(4) };
    default:
      return { tag, bodyOffset: at + 1, length: undefined };
  }
}

/** The symmetric cipher (and AEAD mode for SEIPDv2) the new key packets must name. */
function cipherOf(
  head: Head,
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
