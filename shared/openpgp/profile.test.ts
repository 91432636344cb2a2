import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import {
  AEAD_CHUNK_SIZE_BYTE,
  KEY_PROTECTION_ARGON2,
  MAX_AEAD_CHUNK_SIZE_BYTE,
  MAX_ARGON2_MEMORY_EXPONENT,
  MAX_ARGON2_WORK,
  PROFILE_CONFIG,
  profileWithArgon2,
  READ_CONFIG,
} from './profile';

describe('profile', () => {
  it('names only settings openpgp.js knows (it throws on unknown ones at call time)', () => {
    for (const name of Object.keys(PROFILE_CONFIG)) expect(openpgp.config).toHaveProperty(name);
  });

  it('accepts its own keys when reading: key protection fits under the read limits', () => {
    expect(KEY_PROTECTION_ARGON2.memoryExponent).toBeLessThanOrEqual(MAX_ARGON2_MEMORY_EXPONENT);
    const twoPackets = 2 * KEY_PROTECTION_ARGON2.passes * 2 ** KEY_PROTECTION_ARGON2.memoryExponent;
    expect(twoPackets).toBeLessThanOrEqual(MAX_ARGON2_WORK);
    expect(AEAD_CHUNK_SIZE_BYTE).toBeLessThanOrEqual(MAX_AEAD_CHUNK_SIZE_BYTE);
  });

  it('caps Argon2 memory and forbids unauthenticated plaintext for everything read from outside', () => {
    for (const config of [READ_CONFIG, PROFILE_CONFIG]) {
      expect(config).toMatchObject({
        maxArgon2MemoryExponent: MAX_ARGON2_MEMORY_EXPONENT,
        allowUnauthenticatedMessages: false,
        allowUnauthenticatedStream: false,
      });
    }
  });

  it('writes SEIPDv2 AES-256-GCM and locks keys with Argon2id under AEAD', () => {
    expect(PROFILE_CONFIG).toMatchObject({
      aeadProtect: true,
      preferredAEADAlgorithm: openpgp.enums.aead.gcm,
      preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
      s2kType: openpgp.enums.s2k.argon2,
      s2kArgon2Params: { passes: 3, parallelism: 4, memoryExponent: 16 },
    });
    expect(Object.isFrozen(PROFILE_CONFIG) && Object.isFrozen(READ_CONFIG)).toBe(true);
  });

  it('swaps only the Argon2 cost on request', () => {
    expect(profileWithArgon2()).toBe(PROFILE_CONFIG);
    const cheap = { passes: 1, parallelism: 1, memoryExponent: 10 };
    expect(profileWithArgon2(cheap)).toEqual({ ...PROFILE_CONFIG, s2kArgon2Params: cheap });
  });
});
