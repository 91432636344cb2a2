import type { PrivateKey } from 'openpgp';
import { KeywardError } from '../errors';
import { MAX_ARGON2_MEMORY_EXPONENT, MAX_ARGON2_WORK } from './profile';

/** The parts of openpgp.js's (untyped) S2K object that say what an unlock will cost. */
export interface S2KView {
  type?: string;
  /** Argon2 passes. */
  t?: number;
  /** Argon2 memory: 2^encodedM KiB. */
  encodedM?: number;
}

interface LockedPacketView {
  s2k?: S2KView | null;
  isDecrypted(): boolean | null;
}

/**
 * Refuses, before any key stretching runs, a private key whose Argon2 S2K parameters (RFC 9580 §3.7.1.4) would
 * cost more than we allow: more memory than MAX_ARGON2_MEMORY_EXPONENT, or more total work than MAX_ARGON2_WORK.
 * openpgp.js itself only caps memory (config.maxArgon2MemoryExponent), and a key from outside (an imported file,
 * an escrow record the server hands back) can name 255 passes on each of many subkeys: a denial of service on the
 * device that tries to unlock it.
 */
export function assertAffordableUnlock(key: PrivateKey): void {
  const locked = key
    .getKeys()
    .map(({ keyPacket }) => keyPacket as unknown as LockedPacketView)
    .filter((packet) => packet.isDecrypted() === false)
    .map((packet) => packet.s2k);
  const memoryExponent = Math.max(
    0,
    ...locked.map((s2k) => (s2k?.type === 'argon2' ? (s2k.encodedM ?? 0) : 0)),
  );
  if (memoryExponent > MAX_ARGON2_MEMORY_EXPONENT) {
    throw new KeywardError(
      'too_large',
      `This key's passphrase protection asks for ${mebibytes(memoryExponent)} of memory; ` +
        `Keyward allows at most ${mebibytes(MAX_ARGON2_MEMORY_EXPONENT)}.`,
    );
  }
  if (!affordableArgon2(locked)) {
    throw new KeywardError(
      'too_large',
      "This key's passphrase protection is far more expensive than Keyward allows (too many Argon2 passes or " +
        'protected subkeys); unlocking it would stall this device.',
    );
  }
}

/**
 * Whether trying a passphrase on all of these S2Ks (a key's locked packets, a message's key packets) stays within
 * what a device can afford: none over MAX_ARGON2_MEMORY_EXPONENT, and the Argon2 work (passes x KiB) summed over
 * them within MAX_ARGON2_WORK. Other S2K types cost next to nothing.
 */
export function affordableArgon2(s2ks: readonly (S2KView | null | undefined)[]): boolean {
  let work = 0;
  for (const s2k of s2ks) {
    if (s2k?.type !== 'argon2') continue;
    const memoryExponent = s2k.encodedM ?? Infinity;
    if (memoryExponent > MAX_ARGON2_MEMORY_EXPONENT) return false;
    work += (s2k.t ?? Infinity) * 2 ** memoryExponent;
  }
  return work <= MAX_ARGON2_WORK;
}

function mebibytes(exponent: number): string {
  return `${2 ** (exponent - 10)} MiB`;
}
