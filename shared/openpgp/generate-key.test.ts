import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { CHEAP_ARGON2, NOW } from '../../tests/fixtures/test-keys';
import { isKeywardError } from '../errors';
import { generateKey, type GenerateKeyOptions } from './generate-key';
import { unlockKey } from './lock-key';

const base: GenerateKeyOptions = {
  name: 'Alice Example',
  email: 'Alice@Example.org',
  passphrase: 'correct horse battery staple',
  date: NOW,
  argon2: CHEAP_ARGON2,
};

/** Fields openpgp.js parses but does not declare. */
interface S2KFields {
  s2kUsage: number;
  aead: number | null;
  s2k: { type: string; t: number; p: number; encodedM: number };
}

async function primarySelfSignature(armored: string): Promise<openpgp.SignaturePacket> {
  const key = (await openpgp.readKey({ armoredKey: armored })) as openpgp.Key & {
    getPrimarySelfSignature(date: Date): Promise<openpgp.SignaturePacket>;
  };
  return key.getPrimarySelfSignature(NOW);
}

describe('generateKey', () => {
  it('makes a v4 EdDSALegacy + ECDH Curve25519 key by default, which GnuPG 2.2 can read', async () => {
    const { summary } = await generateKey(base);
    expect(summary).toMatchObject({
      version: 4,
      algorithm: 'Ed25519',
      algorithmId: 22,
      userIds: ['Alice Example <alice@example.org>'],
      emails: ['alice@example.org'],
      created: NOW.getTime(),
      expires: null,
      revoked: false,
      expired: false,
      canEncrypt: true,
      canSign: true,
      isPrivate: false,
    });
    expect(summary.subkeys).toMatchObject([{ algorithm: 'X25519', algorithmId: 18, canEncrypt: true }]);
  });

  it('advertises SEIPDv2 with AES-256-GCM as the first cipher suite', async () => {
    for (const version of [4, 6] as const) {
      const { publicKeyArmored, summary } = await generateKey({ ...base, version });
      const selfSignature = await primarySelfSignature(publicKeyArmored);
      expect(selfSignature.features![0]! & 0x08).toBe(0x08); // RFC 9580 §5.2.3.32: SEIPDv2
      expect(selfSignature.features![0]! & 0x01).toBe(0x01); // SEIPDv1 too, for GnuPG senders
      const suites = (selfSignature as unknown as { preferredCipherSuites: number[][] })
        .preferredCipherSuites;
      expect(suites[0]).toEqual([openpgp.enums.symmetric.aes256, openpgp.enums.aead.gcm]);
      expect(selfSignature.preferredSymmetricAlgorithms?.[0]).toBe(openpgp.enums.symmetric.aes256);
      expect(selfSignature.preferredCompressionAlgorithms?.[0]).toBe(openpgp.enums.compression.uncompressed);
      expect(summary.supportsSeipdv2).toBe(true);
    }
  });

  it('makes an RFC 9580 v6 Ed25519 + X25519 key on request', async () => {
    const { summary } = await generateKey({ ...base, version: 6 });
    expect(summary).toMatchObject({ version: 6, algorithm: 'Ed25519', algorithmId: 27 });
    expect(summary.fingerprint).toHaveLength(64);
    expect(summary.subkeys).toMatchObject([{ algorithm: 'X25519', algorithmId: 25, canEncrypt: true }]);
  });

  it('locks the private key with the real Argon2id profile and AEAD (S2K usage 253)', async () => {
    const { privateKeyArmored } = await generateKey({ ...base, argon2: undefined });
    const key = await openpgp.readPrivateKey({ armoredKey: privateKeyArmored });
    for (const { keyPacket } of key.getKeys()) {
      const packet = keyPacket as unknown as S2KFields;
      expect(packet.s2kUsage).toBe(253);
      expect(packet.aead).toBe(openpgp.enums.aead.gcm);
      expect(packet.s2k).toMatchObject({ type: 'argon2', t: 3, p: 4, encodedM: 16 });
    }
    await expect(unlockKey(privateKeyArmored, base.passphrase)).resolves.toContain('PRIVATE KEY BLOCK');
  });

  it('uses the bare address as user id when the name is empty', async () => {
    const { summary } = await generateKey({ ...base, name: '  ' });
    expect(summary.userIds).toEqual(['<alice@example.org>']);
    expect(summary.emails).toEqual(['alice@example.org']);
  });

  it('sets an expiry when asked', async () => {
    const expiresAt = new Date('2027-06-01T00:00:00Z');
    const { summary } = await generateKey({ ...base, expiresAt });
    expect(summary.expires).toBe(expiresAt.getTime());
  });

  it.each([
    ['a malformed address', { email: 'alice' }, /e-mail address/],
    ['a name that forges a user id', { name: 'Mallory <mallory@evil.example> ' }, /"<"/],
    ['a name with a control character', { name: 'Alice\nExample' }, /control characters/],
    ['an empty passphrase', { passphrase: '' }, /passphrase is required/],
    ['an expiry before the creation date', { expiresAt: new Date('2024-01-01') }, /after the creation date/],
  ])('refuses %s', async (_, change, message) => {
    const error: unknown = await generateKey({ ...base, ...change }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
