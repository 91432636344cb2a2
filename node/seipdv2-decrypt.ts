import { createDecipheriv, hkdfSync, type CipherGCMTypes } from 'node:crypto';
import { invalidInput } from '../shared/errors';
import { decryptionError } from '../shared/openpgp/decryption-error';
import { MAX_AEAD_CHUNK_SIZE_BYTE } from '../shared/openpgp';
import type { MessageHead } from '../shared/openpgp/message-head';
import { byteQueue } from './byte-queue';

/**
 * A faster reader for the files Keyward writes, in Node: the SEIPDv2 layer (RFC 9580 §5.13.2) with AES-GCM, in
 * node:crypto instead of openpgp.js's streams, which copy every chunk several times (docs/benchmarks.md). It does
 * only this layer; the session key comes from openpgp.js (shared/openpgp/session-key.ts) and the packets inside
 * go back to openpgp.js (shared/openpgp/decrypted-packets.ts). Anything else (SEIPDv1, OCB or EAX, passwords)
 * is openpgp.js's alone; see decrypt.ts.
 *
 * What keeps it safe: a chunk is released only after its tag checked (`final()` before enqueue); the last tag
 * authenticates the total length, so a file cut at a chunk boundary fails; a file that ends early or carries
 * anything after the data packet fails; chunk sizes beyond RFC 9580's limit are refused before any reading.
 * Cross-checked against openpgp.js both ways, tampering and truncation included, in seipdv2-decrypt.test.ts.
 */

const SEIPD = 18;
const GCM = 3;
const TAG = 16;
const IV = 12;
const KEY_SIZES: Record<number, number> = { 7: 16, 8: 24, 9: 32 };
const GCM_NAMES: Record<number, CipherGCMTypes> = { 16: 'aes-128-gcm', 24: 'aes-192-gcm', 32: 'aes-256-gcm' };

/** Whether a file's head is the shape this reader handles: a new-format SEIPDv2 packet with AES-GCM. */
export function isSeipdv2Gcm(head: MessageHead): boolean {
  const body = head.bytes.subarray(head.dataBodyOffset);
  return (
    head.dataTag === SEIPD &&
    (head.bytes[head.dataOffset]! & 0x40) !== 0 &&
    body[0] === 2 &&
    KEY_SIZES[body[1]!] !== undefined &&
    body[2] === GCM &&
    body[3]! <= MAX_AEAD_CHUNK_SIZE_BYTE
  );
}

/**
 * The decrypted packets of a SEIPDv2 AES-GCM data packet, streamed; `head` and `rest` are the whole file (head:
 * readMessageHead's bytes, rest: the reader it read them from). Errors the stream with `invalid_input` on any
 * failed check.
 */
export function decryptSeipdv2(
  head: MessageHead,
  rest: ReadableStreamDefaultReader<Uint8Array>,
  sessionKey: Uint8Array,
): ReadableStream<Uint8Array> {
  if (!isSeipdv2Gcm(head)) throw invalidInput('Not a SEIPDv2 AES-GCM file.');
  const raw = byteQueue(head.bytes.subarray(head.dataOffset), async () => {
    const { done, value } = await rest.read();
    return done ? undefined : value;
  });
  const damaged = () => decryptionError(new Error('Authentication tag mismatch'), 'stream');
  const cutShort = () => decryptionError(new Error('Unexpected end of stream'), 'stream');

  // The data packet's length: one definite length, or partial lengths (RFC 9580 §4.2.1.4) until a definite one.
  let partLeft = 0;
  let lastPart = false;
  const nextPartLength = async (): Promise<void> => {
    if (!(await raw.fill(1))) throw cutShort();
    const o1 = raw.take(1)[0]!;
    if (o1 < 192) [partLeft, lastPart] = [o1, true];
    else if (o1 < 224) {
      if (!(await raw.fill(1))) throw cutShort();
      [partLeft, lastPart] = [((o1 - 192) << 8) + raw.take(1)[0]! + 192, true];
    } else if (o1 === 255) {
      if (!(await raw.fill(4))) throw cutShort();
      const b = raw.take(4);
      [partLeft, lastPart] = [((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!, true];
    } else partLeft = 1 << (o1 & 0x1f);
  };
  const bodyPieces = byteQueue(new Uint8Array(0), async () => {
    while (partLeft === 0) {
      if (lastPart) return undefined;
      await nextPartLength();
    }
    if (!(await raw.fill(1))) throw cutShort();
    const piece = raw.takeSome(partLeft);
    partLeft -= piece.length;
    return piece;
  });

  let started = false;
  let key: Uint8Array;
  let iv: Uint8Array;
  let nonce: DataView;
  let info: Uint8Array;
  let chunkSize: number;
  let index = 0;
  let total = 0;

  const start = async () => {
    raw.take(1); // the packet tag (new format, checked above)
    await nextPartLength();
    if (!(await bodyPieces.fill(4 + 32))) throw cutShort();
    const [version, cipher, aead, c] = bodyPieces.take(4);
    const salt = bodyPieces.take(32);
    const keySize = KEY_SIZES[cipher!]!;
    // RFC 9580 §5.13.2: HKDF-SHA256 over the session key, salted, with the packet header as info; the nonce is
    // the derived IV's first bytes followed by the chunk index as a 64-bit big-endian number.
    info = new Uint8Array([0xc0 | SEIPD, version!, cipher!, aead!, c!]);
    const derived = new Uint8Array(hkdfSync('sha256', sessionKey, salt, info, keySize + IV));
    key = derived.subarray(0, keySize);
    iv = derived.slice(keySize);
    nonce = new DataView(iv.buffer, iv.byteOffset, iv.byteLength);
    chunkSize = 2 ** (c! + 6);
    started = true;
  };

  /**
   * Decrypts one chunk, given as the pieces it arrived in (no copy to join them), and checks its tag; returns the
   * plaintext pieces, to be released only now that the tag checked.
   */
  const open = (ciphertext: readonly Uint8Array[], tag: Uint8Array, adata: Uint8Array): Buffer[] => {
    nonce.setBigUint64(IV - 8, BigInt(index));
    const decipher = createDecipheriv(GCM_NAMES[key.length]!, key, iv);
    decipher.setAAD(adata);
    decipher.setAuthTag(tag);
    const plaintext = ciphertext.map((piece) => decipher.update(piece));
    try {
      decipher.final(); // checks the tag: nothing of this chunk is released unless it passes
    } catch {
      throw damaged();
    }
    return plaintext;
  };
  const chunk = (size: number): [Uint8Array[], Uint8Array] => [
    bodyPieces.takePieces(size),
    bodyPieces.take(TAG),
  ];

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) await start();
        // A full chunk, unless fewer bytes than a full chunk plus the final tag remain: then the last chunk.
        const full = chunkSize + TAG;
        await bodyPieces.fill(full + TAG);
        if (bodyPieces.length >= full + TAG) {
          for (const piece of open(...chunk(chunkSize), info)) controller.enqueue(piece);
          index += 1;
          total += chunkSize;
          return;
        }
        if (!bodyPieces.ended) throw cutShort();
        const left = bodyPieces.length;
        if (left >= 2 * TAG) {
          const data = left - 2 * TAG;
          for (const piece of open(...chunk(data), info)) controller.enqueue(piece);
          index += 1;
          total += data;
        } else if (left !== TAG) throw cutShort();
        // The final tag authenticates the total length: a file cut at a chunk boundary fails here.
        const adata = new Uint8Array(info.length + 8);
        adata.set(info);
        new DataView(adata.buffer).setBigUint64(info.length, BigInt(total));
        open([], bodyPieces.take(TAG), adata);
        // Nothing may follow the data packet (RFC 9580 §10.3: it is the message's last packet).
        if (await raw.fill(1)) throw invalidInput('The file carries data after its encrypted content.');
        controller.close();
      },
      cancel: (reason) => rest.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
