import { readMessage, verify } from 'openpgp';
import { decryptionError } from './decryption-error';
import { mapStreamErrors } from './byte-streams';
import type { FileSignature } from './decrypt-file';
import { READ_CONFIG } from './profile';
import { parseKey, type KeyInput } from './read-keys';

/**
 * The packets found inside an encrypted data packet (RFC 9580 §5.13: literal data, optionally one-pass signed or
 * compressed), for a reader that decrypted and authenticated that layer itself: it must put nothing in
 * `packets` before its integrity check passed, and must error the stream if a later check fails or the data ends
 * early. Gives the literal data streamed, its stored name, and the signatures checked against
 * `verificationKeys` once the data has been read to its end (decrypt-file.ts's `DecryptedFile`).
 */
export async function openDecryptedPackets(options: {
  packets: ReadableStream<Uint8Array>;
  verificationKeys: readonly KeyInput[];
  date: Date;
}): Promise<{
  plaintext: ReadableStream<Uint8Array>;
  filename: string;
  signatures: Promise<FileSignature[]>;
}> {
  const verificationKeys = await Promise.all(options.verificationKeys.map((k) => parseKey(k)));
  let result: {
    data: unknown;
    signatures: { keyID: { toHex(): string }; verified: Promise<unknown> }[];
  };
  let filename: string | null;
  try {
    const message = await readMessage({ binaryMessage: options.packets, config: READ_CONFIG });
    filename = message.getFilename();
    result = await verify({
      message,
      verificationKeys,
      format: 'binary',
      date: options.date,
      config: READ_CONFIG,
    });
  } catch (error) {
    throw decryptionError(error, 'start');
  }
  return {
    plaintext: mapStreamErrors(result.data as ReadableStream<Uint8Array>, (e) =>
      decryptionError(e, 'stream'),
    ),
    filename: filename ?? '',
    signatures: Promise.all(
      result.signatures.map(async (signature) => ({
        keyId: signature.keyID.toHex().toUpperCase(),
        valid: await signature.verified.then(
          () => true,
          () => false,
        ),
      })),
    ),
  };
}
