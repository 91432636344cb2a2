import { createHash } from 'node:crypto';
import type { Email } from '../../shared/identity';
import { armorKey, servableKey } from '../keys';

export interface ServedKey {
  packets: Uint8Array;
  armored: string;
  /** `armored` encoded once, so responses need not encode the same text again for every request. */
  armoredBytes: Buffer;
}

/**
 * Lookups re-serve the same few keys over and over, and filtering a key down to its published user ids means
 * parsing it with openpgp.js (~0.3 ms). The result depends only on the stored bytes, the published addresses and
 * the time rules at `now`, so it is cached under a hash of the first two for a short time: a key written by any
 * process has new bytes or bindings and so a new cache key; nothing here can serve a stale key.
 */
export function createServedKeyCache(
  options: { maxEntries?: number; maxBytes?: number; ttlMs?: number } = {},
) {
  const maxEntries = options.maxEntries ?? 10_000;
  // Bounded in bytes too: keys are up to 32 KiB (plus armor), so entries alone could hold far more memory.
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const ttlMs = options.ttlMs ?? 60_000;
  const entries = new Map<string, { value: ServedKey; until: number; bytes: number }>();
  let bytes = 0;
  const drop = (key: string) => {
    bytes -= entries.get(key)?.bytes ?? 0;
    entries.delete(key);
  };

  return async function served(packets: Uint8Array, emails: Email[], now: Date): Promise<ServedKey> {
    const key = createHash('sha256')
      .update(packets)
      .update(`\0${[...emails].sort().join('\0')}`)
      .digest('base64');
    const hit = entries.get(key);
    if (hit && hit.until > now.getTime()) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      entries.delete(key);
      entries.set(key, hit);
      return hit.value;
    }
    const filtered = await servableKey(packets, emails, now);
    const armored = armorKey(filtered);
    const value = { packets: filtered, armored, armoredBytes: Buffer.from(armored) };
    drop(key);
    const size = filtered.length + armored.length + value.armoredBytes.length;
    entries.set(key, { value, until: now.getTime() + ttlMs, bytes: size });
    bytes += size;
    while (entries.size > maxEntries || (bytes > maxBytes && entries.size > 1))
      drop(entries.keys().next().value!);
    return value;
  };
}
