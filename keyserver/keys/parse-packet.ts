import type { Config } from 'openpgp';
import type { RawPacket } from './scan-packets';

interface ReadablePacket {
  read(body: Uint8Array, config: Config): void | Promise<void>;
}

/**
 * Parses one packet body with openpgp.js. Packets are parsed one at a time, not as a list, so a single
 * unreadable signature among thousands costs only itself (openpgp.js's list reader either throws for the whole
 * list or skips packets, which would misalign them with the raw bytes we keep).
 */
export async function parsePacket<T extends object>(
  PacketClass: new () => T,
  raw: RawPacket,
  config: Config,
): Promise<T> {
  const packet = new PacketClass();
  // `read` takes the config at run time; the published typings leave that parameter out.
  await (packet as unknown as ReadablePacket).read(raw.body, config);
  return packet;
}

/** Like parsePacket, but null for a packet openpgp.js cannot read (an unknown version or algorithm, or garbage). */
export async function tryParsePacket<T extends object>(
  PacketClass: new () => T,
  raw: RawPacket,
  config: Config,
): Promise<T | null> {
  try {
    return await parsePacket(PacketClass, raw, config);
  } catch {
    return null;
  }
}
