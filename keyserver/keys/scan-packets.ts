import { invalidInput } from '../../shared/errors';

/** One OpenPGP packet as it arrived: its tag, the whole packet (header included) and the body. */
export interface RawPacket {
  readonly tag: number;
  /** Header and body, byte for byte as received: purified keys are written from these, never re-encoded. */
  readonly bytes: Uint8Array;
  readonly body: Uint8Array;
}

/**
 * Splits binary OpenPGP data into packets by their headers alone (RFC 9580 §4.2), before openpgp.js parses
 * anything, so size limits and version checks run on packets the parser would choke on.
 *
 * Partial body lengths (§4.2.1.4) and the legacy indeterminate length (§4.2.2) are only allowed for data packets,
 * never in keys, so they are refused rather than buffered.
 */
export function scanPackets(data: Uint8Array): RawPacket[] {
  if (data.length === 0) throw invalidInput('The key is empty.');
  const packets: RawPacket[] = [];
  let offset = 0;
  while (offset < data.length) {
    const header = readHeader(data, offset);
    const end = header.bodyStart + header.bodyLength;
    if (end > data.length) {
      throw invalidInput(
        `The key data is truncated: a packet at byte ${offset} needs ${header.bodyLength} bytes, ` +
          `but only ${data.length - header.bodyStart} remain. Copy the whole key and try again.`,
      );
    }
    packets.push({
      tag: header.tag,
      bytes: data.subarray(offset, end),
      body: data.subarray(header.bodyStart, end),
    });
    offset = end;
  }
  return packets;
}

interface Header {
  tag: number;
  bodyStart: number;
  bodyLength: number;
}

function readHeader(data: Uint8Array, offset: number): Header {
  const first = data[offset]!;
  if ((first & 0x80) === 0) {
    throw invalidInput(
      offset === 0
        ? 'This is not OpenPGP key data.'
        : `The key data is damaged at byte ${offset}. Copy the whole key and try again.`,
    );
  }
  const at = (i: number): number => {
    const byte = data[offset + i];
    if (byte === undefined)
      throw invalidInput(`The key data is truncated inside a packet header at byte ${offset}.`);
    return byte;
  };
  if (first & 0x40) {
    // OpenPGP (new) format, §4.2.1.
    const tag = first & 0x3f;
    const l0 = at(1);
    if (l0 < 192) return { tag, bodyStart: offset + 2, bodyLength: l0 };
    if (l0 < 224) return { tag, bodyStart: offset + 3, bodyLength: ((l0 - 192) << 8) + at(2) + 192 };
    if (l0 === 255) return { tag, bodyStart: offset + 6, bodyLength: readUint32(at(2), at(3), at(4), at(5)) };
    throw invalidInput(`A key cannot use partial body lengths (packet at byte ${offset}).`);
  }
  // Legacy format, §4.2.2: tag in bits 5-2, length type in bits 1-0.
  const tag = (first >> 2) & 0x0f;
  switch (first & 0x03) {
    case 0:
      return { tag, bodyStart: offset + 2, bodyLength: at(1) };
    case 1:
      return { tag, bodyStart: offset + 3, bodyLength: (at(1) << 8) | at(2) };
    case 2:
      return { tag, bodyStart: offset + 5, bodyLength: readUint32(at(1), at(2), at(3), at(4)) };
    default:
      throw invalidInput(`A key cannot use an indeterminate packet length (packet at byte ${offset}).`);
  }
}

function readUint32(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}
