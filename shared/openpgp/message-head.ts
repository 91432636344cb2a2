import { concatBytes } from '../bytes';
import { invalidInput } from '../errors';
import { isBinaryPacketStart } from './byte-streams';

const PKESK = 1;
const SKESK = 3;
/** Key packets are small; a file whose key packets take more than this is not one we made or can help with. */
const MAX_HEAD_BYTES = 1024 * 1024;

/** The start of a binary encrypted file, read off its stream. */
export interface MessageHead {
  /** The file's first bytes: all key packets and the start of the encrypted data packet. */
  bytes: Uint8Array;
  /** Where the encrypted data packet starts. */
  dataOffset: number;
  dataTag: number;
  /** Where that packet's body starts. */
  dataBodyOffset: number;
}

/** Reads the leading session key packets (RFC 9580 §4.2 headers) and the first bytes of the data packet's body. */
export async function readMessageHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<MessageHead> {
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
export function packetHeader(
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
