import { config as openpgpDefaults, enums, type Config, type PartialConfig } from 'openpgp';

/**
 * Keyward's one OpenPGP profile. Every openpgp.js call in the project gets one of these configs explicitly;
 * nothing mutates the global `openpgp.config`, so a stray import elsewhere cannot weaken the profile.
 */

/** Argon2 cost parameters as carried in an RFC 9580 §3.7.1.4 S2K specifier (memory is 2^memoryExponent KiB). */
export interface Argon2Params {
  readonly passes: number;
  readonly parallelism: number;
  readonly memoryExponent: number;
}

/**
 * Argon2id for private keys at rest: RFC 9106 §4's second recommended option (t=3, p=4, 64 MiB), the one meant
 * for memory-constrained devices. Unlocking runs Argon2 once per key packet, so our two-packet keys cost about
 * 0.5 s in Node (WASM, single thread); 256 MiB would be about 2.3 s on every unlock, too slow for a browser
 * popup. Guessing costs an attacker 64 MiB x 3 passes per try against the primary packet alone.
 */
export const KEY_PROTECTION_ARGON2: Argon2Params = Object.freeze({
  passes: 3,
  parallelism: 4,
  memoryExponent: 16,
});

/**
 * The most Argon2 memory (2^18 KiB = 256 MiB) anything read from outside may ask for, in keys (RFC 9580 §3.7.1.4)
 * and in password-encrypted messages. A hostile key or message can name up to 2^30 KiB; openpgp.js would try to
 * allocate it in WASM, where it stays reserved for the life of the page. 256 MiB is the top OPAQUE profile the
 * escrow already asks of devices (shared/escrow/profiles.ts), 4x our own key profile, and still fits
 * a phone's browser. Values above it fail with `too_large` instead of a crashed extension page.
 */
export const MAX_ARGON2_MEMORY_EXPONENT = 18;

/**
 * Total Argon2 work (passes x KiB, summed over every locked packet) one unlock may cost. The memory cap alone
 * does not bound time: the passes octet goes up to 255 and a key can carry many subkeys. 2^22 is about 21x our own
 * two-packet key (3 x 2^16 each), or two packets at the 256 MiB cap with 8 passes; about 5 s in Node.
 */
export const MAX_ARGON2_WORK = 2 ** 22;

/**
 * AEAD chunk size octet c, chunks of 2^(c+6) bytes (RFC 9580 §5.13.2; writers MUST NOT exceed 16 = 4 MiB).
 * Measured in Chromium 156 (where files are encrypted), 2 cores, 256 MiB picked from disk, streamed, signed with a
 * v4 key, MB/s (raw WebCrypto AES-256-GCM over the same file in 4 MiB slices: 60-75):
 *   c=12 (256 KiB) 30-42 (unsigned 64-72)   <- chosen (also openpgp.js's default)
 *   c=14 (1 MiB)   24    (unsigned 39-50)
 *   c=16 (4 MiB)         (unsigned 42-45)
 * Every chunk is a fresh allocation for the AEAD output, and on this kind of machine fresh memory (page faults)
 * costs more than WebCrypto's per-call overhead, so 256 KiB wins in the browser. (In Node, bench/openpgp-chunk-size.ts
 * found 1 MiB slightly ahead: 399-467 against 385-467 MB/s encrypt.)
 */
export const AEAD_CHUNK_SIZE_BYTE = 12;

/** Largest chunk size octet we decrypt: RFC 9580 §5.13.2's range every implementation must accept (0..16). */
export const MAX_AEAD_CHUNK_SIZE_BYTE = 16;

/**
 * For anything that comes from outside (keys from a keyserver or a file, messages, escrow records): caps Argon2
 * memory and keeps openpgp.js from releasing plaintext before its integrity check (the EFAIL class of attacks).
 */
export const READ_CONFIG: PartialConfig = Object.freeze({
  maxArgon2MemoryExponent: MAX_ARGON2_MEMORY_EXPONENT,
  allowUnauthenticatedMessages: false,
  allowUnauthenticatedStream: false,
  ignoreMalformedPackets: false,
  enableParsingV5Entities: false,
});

/** For what we write: keys, locked keys and messages. Includes the read limits, so it also serves read-then-write. */
export const PROFILE_CONFIG: PartialConfig = Object.freeze({
  ...READ_CONFIG,
  // SEIPDv2 (RFC 9580 §5.13.2) with AES-256-GCM: new keys advertise it (Features, §5.2.3.32) with GCM first in
  // their Preferred AEAD Ciphersuites (subpacket 39); GCM because Chromium runs it through WebCrypto, while
  // openpgp.js does OCB in plain JavaScript (~3 MB/s). Also makes key locking use AEAD (S2K usage 253, §3.7.2.1).
  aeadProtect: true,
  preferredAEADAlgorithm: enums.aead.gcm,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
  preferredHashAlgorithm: enums.hash.sha512,
  // No compression: uploads are mostly compressed already, compression leaks content through length, and
  // decompression is the classic bomb.
  preferredCompressionAlgorithm: enums.compression.uncompressed,
  aeadChunkSizeByte: AEAD_CHUNK_SIZE_BYTE,
  // Argon2 S2K is only valid with AEAD protection (RFC 9580 §3.7.2.1), hence aeadProtect above.
  s2kType: enums.s2k.argon2,
  s2kArgon2Params: KEY_PROTECTION_ARGON2,
  v6Keys: false,
});

/** The profile with a different Argon2 cost: tests use a cheap one; production code takes the default. */
export function profileWithArgon2(argon2: Argon2Params = KEY_PROTECTION_ARGON2): PartialConfig {
  return argon2 === KEY_PROTECTION_ARGON2 ? PROFILE_CONFIG : { ...PROFILE_CONFIG, s2kArgon2Params: argon2 };
}

/** openpgp.js object methods (Key#getEncryptionKey, ...) take a full Config, not a partial one. */
export function fullConfig(partial: PartialConfig): Config {
  return { ...openpgpDefaults, ...partial };
}
