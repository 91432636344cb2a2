import { decrypt, type PrivateKey } from 'openpgp';
import { KeywardError, invalidInput } from '../errors';
import { mapStreamErrors, type Bytes } from './byte-streams';
import { decryptionError, UNPROTECTED_MESSAGE } from './decryption-error';
import { describeMessage, readEncryptedMessage, type MessageInfo } from './inspect-message';
import type { UnlockedKey } from './lock-key';
import { MAX_AEAD_CHUNK_SIZE_BYTE, READ_CONFIG } from './profile';
import { parseKey, parsePrivateKey, type KeyInput } from './read-keys';

export interface DecryptFileOptions {
  /** Binary (`.pgp`/`.gpg`) or ASCII-armored (`.asc`) message. */
  ciphertext: Bytes;
  /** The user's unlocked private keys; any of them may be the recipient. */
  keys: readonly UnlockedKey[];
  /** A password the file was encrypted with (an SKESK packet), instead of or besides keys. */
  password?: string;
  date: Date;
  /** Public keys whose signatures to check (the user's own and contacts'). */
  verificationKeys?: readonly KeyInput[];
}

/** A signature found in the file: by which key, and whether it checked out. */
export interface FileSignature {
  keyId: string;
  valid: boolean;
}

export interface DecryptedFile {
  /**
   * Plaintext, streamed. SEIPDv2 releases each chunk only after its AEAD tag verified; SEIPDv1 is released only
   * after the whole message's MDC verified (openpgp.js buffers it, `allowUnauthenticatedStream` is false). A
   * truncated or tampered file makes this stream error with a `KeywardError` (`invalid_input`), possibly after
   * some authentic chunks: consumers must treat the output as complete only when the stream closes, and discard it
   * otherwise (write to a temporary file or a File System Access writable and commit on close).
   */
  plaintext: ReadableStream<Uint8Array>;
  /** The name stored in the literal data packet (RFC 9580 §5.9); untrusted, may be empty. */
  filename: string;
  /**
   * The file's signatures, known only once `plaintext` has been read to its end (the signature follows the data).
   * Empty for an unsigned file. `valid` is false for a bad signature and for a key not in `verificationKeys`.
   */
  signatures: Promise<FileSignature[]>;
  encryption: MessageInfo['encryption'];
}

/**
 * Decrypts a file to a stream. Not for one of our keys: `forbidden`; damaged, truncated or not OpenPGP:
 * `invalid_input`; asking for too much key-stretching memory: `too_large`.
 */
export async function decryptFile(options: DecryptFileOptions): Promise<DecryptedFile> {
  const password = options.password;
  if (options.keys.length === 0 && password === undefined) {
    throw invalidInput('No private key or password was given to decrypt with.');
  }
  const keys = await Promise.all(options.keys.map(parseUnlockedKey));
  const message = await readEncryptedMessage(options.ciphertext);
  const info = describeMessage(message);
  if (password !== undefined && !info.passwordProtected) {
    throw new KeywardError('forbidden', 'This file cannot be opened with a password.');
  }
  checkDecryptable(info, keys, password !== undefined);
  const verificationKeys = await Promise.all((options.verificationKeys ?? []).map((k) => parseKey(k)));
  let result: {
    data: unknown;
    filename: string;
    signatures: { keyID: { toHex(): string }; verified: Promise<unknown> }[];
  };
  try {
    result = await decrypt({
      message,
      ...(keys.length > 0 ? { decryptionKeys: keys } : {}),
      ...(password !== undefined ? { passwords: [password] } : {}),
      ...(verificationKeys.length > 0 ? { verificationKeys } : {}),
      format: 'binary',
      date: options.date,
      config: READ_CONFIG,
    });
  } catch (error) {
    // With a password, a session key that does not decrypt means the password is wrong (its packet is checked).
    if (password !== undefined && /Session key decryption failed/i.test(String((error as Error)?.message))) {
      throw new KeywardError('forbidden', 'That password does not open this file.', {
        reason: 'wrong_passphrase',
      });
    }
    throw decryptionError(error, 'start');
  }
  return {
    plaintext: mapStreamErrors(result.data as ReadableStream<Uint8Array>, (e) =>
      decryptionError(e, 'stream'),
    ),
    filename: result.filename,
    signatures: Promise.all(
      (result.signatures ?? []).map(async (signature) => ({
        keyId: signature.keyID.toHex().toUpperCase(),
        valid: await signature.verified.then(
          () => true,
          () => false,
        ),
      })),
    ),
    encryption: info.encryption,
  };
}

async function parseUnlockedKey(armored: UnlockedKey): Promise<PrivateKey> {
  const key = await parsePrivateKey(armored);
  if (key.getKeys().some(({ keyPacket }) => keyPacket.isDecrypted() === false)) {
    throw invalidInput('The private key is locked; unlock it first.');
  }
  return key;
}

/** Refuses early, with a reason, what openpgp.js would refuse late or with a vague message. */
function checkDecryptable(info: MessageInfo, keys: PrivateKey[], withPassword = false): void {
  if (info.encryption === null) throw invalidInput('This OpenPGP file is not encrypted.');
  if (info.encryption === 'unprotected') {
    // RFC 9580 §5.7: no integrity protection at all; openpgp.js would refuse too, with a vaguer message.
    throw invalidInput(UNPROTECTED_MESSAGE);
  }
  // RFC 9580 §5.13.2: readers must accept chunk size octets up to 16. A larger one would make openpgp.js buffer
  // the whole (possibly huge) message before releasing or checking anything.
  if ((info.chunkSizeByte ?? 0) > MAX_AEAD_CHUNK_SIZE_BYTE) {
    throw invalidInput(
      `The file uses AEAD chunks of 2^${(info.chunkSizeByte ?? 0) + 6} bytes, beyond RFC 9580's limit.`,
    );
  }
  const ours = new Set(keys.flatMap((key) => key.getKeyIDs().map((id) => id.toHex().toUpperCase())));
  if (!withPassword && info.hiddenRecipients === 0 && !info.recipients.some((r) => ours.has(r.keyId))) {
    const forWhom = info.recipients.map((r) => r.keyId).join(', ') || 'a password only';
    throw new KeywardError(
      'forbidden',
      `This file is not encrypted for any of your keys (it is for ${forWhom}).`,
    );
  }
}
