import type { PrivateKey } from 'openpgp';
import { KeywardError } from '../errors';
import { MAX_ARGON2_MEMORY_EXPONENT, MAX_ARGON2_WORK } from './profile';

/** The parts of openpgp.js's (untyped) S2K object that say what an unlock will cost. */
interface S2KView {
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
  let work = 0;
  for (const { keyPacket } of key.getKeys()) {
    const packet = keyPacket as unknown as LockedPacketView;
    const s2k = packet.s2k;
    if (packet.isDecrypted() !== false || s2k?.type !== 'argon2') continue;
    const memoryExponent = s2k.encodedM ?? 0;
    if (memoryExponent > MAX_ARGON2_MEMORY_EXPONENT) {
      throw new KeywardError(
        'too_large',
        `This key's passphrase protection asks for ${mebibytes(memoryExponent)} of memory; ` +
          `Keyward allows at most ${mebibytes(MAX_ARGON2_MEMORY_EXPONENT)}.`,
      );
    }
    work += (s2k.t ?? 0) * 2 ** memoryExponent;
  }
  if (work > MAX_ARGON2_WORK) {
    throw new KeywardError(
      'too_large',
      "This key's passphrase protection is far more expensive than Keyward allows (too many Argon2 passes or " +
        'protected subkeys); unlocking it would stall this device.',
    );
  }
}

function mebibytes(exponent: number): string {
  return `${2 ** (exponent - 10)} MiB`;
}
