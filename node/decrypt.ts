import { KeywardError, invalidInput } from '../shared/errors';
import {
  decryptFile,
  inspectMessage,
  readPublicKeys,
  type DecryptedFile,
  type KeyInput,
  type KeySummary,
  type UnlockedKey,
} from '../shared/openpgp';
import { toByteStream } from '../shared/openpgp/byte-streams';
import { openDecryptedPackets } from '../shared/openpgp/decrypted-packets';
import { packetHeader, readMessageHead, type MessageHead } from '../shared/openpgp/message-head';
import { decryptSessionKey } from '../shared/openpgp/session-key';
import { decryptSeipdv2, isSeipdv2Gcm } from './seipdv2-decrypt';
import { toWebStream, type ByteInput } from './to-web-stream';

export interface DecryptOptions {
  /** Binary (`.pgp`) or armored (`.asc`). */
  readonly ciphertext: ByteInput;
  /** The private key(s) to decrypt with, unlocked (`readPrivateKey`). */
  readonly keys: UnlockedKey | readonly UnlockedKey[];
  /** Public keys whose signatures count (the client adds every pinned key). */
  readonly verificationKeys?: readonly KeyInput[];
  readonly date?: Date;
}

/** A signature found inside the file, and whose key made it when that key is among the verification keys. */
export interface SignatureReport {
  readonly keyId: string;
  /** Checked with a known key and correct. False for a bad signature or an unknown signer. */
  readonly valid: boolean;
  readonly signer: { readonly fingerprint: string; readonly userIds: readonly string[] } | null;
}

export interface Decrypted {
  /**
   * The plaintext, streamed. SEIPDv2 releases each chunk only after its tag checked; a damaged or cut file errors
   * the stream (possibly after some authentic chunks), so only a stream that closed cleanly is the whole file:
   * write to a temporary place and keep it only then.
   */
  readonly plaintext: ReadableStream<Uint8Array>;
  /** The name stored inside the encryption; untrusted (never use it as a path as it is). */
  readonly filename: string;
  readonly encryption: DecryptedFile['encryption'];
  /** Known once `plaintext` has been read to its end; empty for an unsigned file. */
  readonly signatures: Promise<SignatureReport[]>;
}

/**
 * Decrypts a file with the given keys, streaming. Binary SEIPDv2 AES-GCM files to public keys (what Keyward
 * writes) go through Node's own AES-GCM (seipdv2-decrypt.ts), everything else through openpgp.js
 * (shared/openpgp/decrypt-file.ts); both give the same results and errors (see there).
 */
export async function decrypt(options: DecryptOptions): Promise<Decrypted> {
  const date = options.date ?? new Date();
  const keys: readonly UnlockedKey[] = typeof options.keys === 'string' ? [options.keys] : options.keys;
  const verificationKeys = options.verificationKeys ?? [];
  const decrypted = await decryptFast(toWebStream(options.ciphertext), keys, verificationKeys, date);
  return {
    plaintext: decrypted.plaintext,
    // openpgp.js gives null for a file stored without a name.
    filename: decrypted.filename || '',
    encryption: decrypted.encryption,
    signatures: decrypted.signatures.then(async (signatures) => {
      if (signatures.length === 0) return [];
      const byKeyId = await keysById(verificationKeys, date);
      return signatures.map(({ keyId, valid }) => {
        const key = byKeyId.get(keyId);
        return {
          keyId,
          valid: valid && key !== undefined,
          signer: key ? { fingerprint: key.fingerprint, userIds: key.userIds } : null,
        };
      });
    }),
  };
}

type Decryption = Pick<DecryptedFile, 'plaintext' | 'filename' | 'signatures' | 'encryption'>;

async function decryptFast(
  ciphertext: Uint8Array | ReadableStream<Uint8Array>,
  keys: readonly UnlockedKey[],
  verificationKeys: readonly KeyInput[],
  date: Date,
): Promise<Decryption> {
  if (keys.length === 0) throw invalidInput('No private key was given to decrypt with.');
  const reader = toByteStream(ciphertext).getReader();
  // What the head read took, so that a file this path does not handle goes to openpgp.js whole.
  const seen: Uint8Array[] = [];
  const recording = {
    read: async () => {
      const result = await reader.read();
      if (!result.done) seen.push(result.value);
      return result;
    },
  } as ReadableStreamDefaultReader<Uint8Array>;
  const head = await readMessageHead(recording).catch(() => null);
  if (head && isSeipdv2Gcm(head) && onlyPublicKeyPackets(head)) {
    const keyPackets = head.bytes.subarray(0, head.dataOffset);
    const sessionKey = await decryptSessionKey({ keyPackets, keys, date });
    if (!sessionKey) {
      await reader.cancel();
      const ids = (await inspectMessage(keyPackets)).recipients.map((r) => r.keyId).join(', ');
      throw new KeywardError(
        'forbidden',
        `This file is not encrypted for any of your keys (it is for ${ids}).`,
      );
    }
    const opened = await openDecryptedPackets({
      packets: decryptSeipdv2(head, reader, sessionKey.data),
      verificationKeys,
      date,
    });
    return { ...opened, encryption: 'seipdv2' };
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of seen) controller.enqueue(piece);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return decryptFile({ ciphertext: replay, keys, date, verificationKeys });
}

/** Only public-key packets before the data: a file that also opens with a password is openpgp.js's to read. */
function onlyPublicKeyPackets(head: MessageHead): boolean {
  for (let at = 0; at < head.dataOffset;) {
    const header = packetHeader(head.bytes, at);
    if (header?.tag !== 1 || header.length === undefined) return false;
    at = header.bodyOffset + header.length;
  }
  return true;
}

/** Every key id (primary and subkeys) of the given keys, to the key it belongs to. */
export async function keysById(keys: readonly KeyInput[], date: Date): Promise<Map<string, KeySummary>> {
  const byId = new Map<string, KeySummary>();
  for (const input of keys) {
    for (const { summary } of await readPublicKeys(input, { date })) {
      byId.set(summary.keyId, summary);
      for (const sub of summary.subkeys) byId.set(sub.keyId, summary);
    }
  }
  return byId;
}
