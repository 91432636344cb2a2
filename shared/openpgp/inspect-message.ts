import { readMessage, type Message } from 'openpgp';
import { Fingerprint, KeyId } from '../identity';
import { KeywardError, invalidInput } from '../errors';
import { decryptionError } from './decryption-error';
import { isBinaryPacketStart, peekFirstByte, toByteStream, type Bytes } from './byte-streams';
import { READ_CONFIG } from './profile';

export interface Recipient {
  keyId: KeyId;
  /** Present in v6 PKESK packets (RFC 9580 §5.1.2), which name the key by fingerprint; null in v3 ones. */
  fingerprint: Fingerprint | null;
}

export interface MessageInfo {
  /** Keys the session key is encrypted to (RFC 9580 §5.1), usually encryption subkeys, not primary keys. */
  recipients: Recipient[];
  /** Recipients hidden behind a wildcard key id (`gpg --throw-keyids`). */
  hiddenRecipients: number;
  /** Also openable with a password (an SKESK packet, §5.3). */
  passwordProtected: boolean;
  /**
   * seipdv2: AEAD, checked chunk by chunk (§5.13.2). seipdv1: CFB + SHA-1 MDC, checked only at the end, so it is
   * buffered whole before any plaintext is released (§5.13.1). librepgp-aead: GnuPG 2.3+'s OCB packet (tag 20).
   * unprotected: no integrity protection at all (§5.7), refused. null: not an encrypted message.
   */
  encryption: 'seipdv2' | 'seipdv1' | 'librepgp-aead' | 'unprotected' | null;
  aead: 'eax' | 'ocb' | 'gcm' | null;
  /** SEIPDv2 chunk size octet: chunks of 2^(c+6) bytes. */
  chunkSizeByte: number | null;
  /**
   * Keys that signed a message that is not encrypted (a signed message or a detached signature). In an encrypted
   * file the signature is inside the encryption, so it cannot be seen without decrypting: empty then.
   */
  signers: KeyId[];
}

/** Who a message is for and how it is protected, without decrypting it; reads only the packets before the data. */
export async function inspectMessage(ciphertext: Bytes): Promise<MessageInfo> {
  return describeMessage(await readEncryptedMessage(ciphertext));
}

/** Internal: parses an armored or binary message from outside, lazily (the data packet stays a stream). */
export async function readEncryptedMessage(ciphertext: Bytes): Promise<Message<ReadableStream<Uint8Array>>> {
  const { firstByte, stream } = await peekFirstByte(toByteStream(ciphertext));
  if (firstByte === undefined) throw invalidInput('The file is empty.');
  try {
    const message = isBinaryPacketStart(firstByte)
      ? await readMessage({ binaryMessage: stream, config: READ_CONFIG })
      : await readMessage({ armoredMessage: stream.pipeThrough(utf8Decoder()), config: READ_CONFIG });
    return message;
  } catch (error) {
    await stream.cancel().catch(() => {});
    if (error instanceof Error && /Unexpected end of (packet|stream)/i.test(error.message)) {
      throw decryptionError(error, 'start');
    }
    // `not_encrypted`: the bytes are no encrypted message at all (a public key, a signature, another format), as
    // opposed to a damaged one; decrypt on download then saves such a file as it is.
    throw new KeywardError(
      'invalid_input',
      'This is not an OpenPGP encrypted file.',
      { reason: 'not_encrypted' },
      { cause: error },
    );
  }
}

/** Fields openpgp.js sets on parsed packets but does not declare. */
interface PacketView {
  constructor: { tag?: number };
  version?: number;
  publicKeyID?: { toHex(): string };
  issuerKeyID?: { toHex(): string };
  publicKeyFingerprint?: Uint8Array | null;
  aeadAlgorithm?: number;
  chunkSizeByte?: number;
}

const AEAD_NAMES: Record<number, MessageInfo['aead']> = { 1: 'eax', 2: 'ocb', 3: 'gcm' };
const WILDCARD = '0000000000000000';

export function describeMessage(message: Message<unknown>): MessageInfo {
  const info: MessageInfo = {
    recipients: [],
    hiddenRecipients: 0,
    passwordProtected: false,
    encryption: null,
    aead: null,
    chunkSizeByte: null,
    signers: [],
  };
  for (const packet of message.packets as unknown as PacketView[]) {
    switch (packet.constructor.tag) {
      case 1: {
        const keyId = packet.publicKeyID?.toHex().toUpperCase() ?? WILDCARD;
        const fingerprint = packet.publicKeyFingerprint?.length ? toHex(packet.publicKeyFingerprint) : null;
        if (keyId === WILDCARD && fingerprint === null) info.hiddenRecipients++;
        else
          info.recipients.push({
            keyId: KeyId.parse(keyId),
            fingerprint: fingerprint ? Fingerprint.parse(fingerprint) : null,
          });
        break;
      }
      case 2: // a signature (detached, or signature first)
      case 4: {
        // a one-pass signature, before the signed data
        const issuer = KeyId.tryParse(packet.issuerKeyID?.toHex() ?? '');
        if (issuer && issuer !== WILDCARD && !info.signers.includes(issuer)) info.signers.push(issuer);
        break;
      }
      case 3:
        info.passwordProtected = true;
        break;
      case 9:
        info.encryption ??= 'unprotected';
        break;
      case 18:
        info.encryption ??= packet.version === 2 ? 'seipdv2' : 'seipdv1';
        if (packet.version === 2) {
          info.aead = AEAD_NAMES[packet.aeadAlgorithm ?? 0] ?? null;
          info.chunkSizeByte = packet.chunkSizeByte ?? null;
        }
        break;
      case 20:
        info.encryption ??= 'librepgp-aead';
        info.aead = AEAD_NAMES[packet.aeadAlgorithm ?? 0] ?? null;
        info.chunkSizeByte = packet.chunkSizeByte ?? null;
        break;
    }
  }
  return info;
}

/** DOM typings declare TextDecoderStream's writable side as BufferSource, which Uint8Array pipes cannot name. */
function utf8Decoder(): ReadableWritablePair<string, Uint8Array> {
  return new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
