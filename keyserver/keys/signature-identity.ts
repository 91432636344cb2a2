import type { RawPacket } from './scan-packets';

/**
 * What makes two signature packets the same signature: everything but the unhashed subpacket area (RFC 9580
 * §5.2.3), which anyone can rewrite without breaking the signature. Deduplicating on it stops one valid
 * signature, copied with different unhashed areas, from filling all the slots of a component's cap.
 */
export function signatureIdentity(raw: RawPacket): string {
  const body = raw.body;
  const version = body[0];
  const lengthBytes = version === 6 ? 4 : 2; // v6 widened both subpacket-area lengths to four octets
  if (version !== 4 && version !== 6) return Buffer.from(body).toString('base64');
  const hashedStart = 4 + lengthBytes;
  const hashedLength = readLength(body, 4, lengthBytes);
  const unhashedAt = hashedStart + hashedLength;
  const unhashedLength = readLength(body, unhashedAt, lengthBytes);
  const restAt = unhashedAt + lengthBytes + unhashedLength;
  if (Number.isNaN(hashedLength) || Number.isNaN(unhashedLength) || restAt > body.length) {
    return Buffer.from(body).toString('base64');
  }
  return Buffer.concat([body.subarray(0, unhashedAt), body.subarray(restAt)]).toString('base64');
}

function readLength(body: Uint8Array, at: number, bytes: number): number {
  if (at + bytes > body.length) return NaN;
  let n = 0;
  for (let i = 0; i < bytes; i++) n = n * 256 + body[at + i]!;
  return n;
}

/** Drops repeated signatures, keeping the first copy of each. */
export function uniqueSignatures<T extends { raw: RawPacket }>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const id = signatureIdentity(s.raw);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
