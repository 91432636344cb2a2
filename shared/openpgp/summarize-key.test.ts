import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_FINGERPRINTS as FPR,
  makeTestKey,
  NOW,
  readFixture,
  type GnuPGFixture,
  type TestKey,
} from '../../tests/fixtures/test-keys';
import { isKeywardError } from '../errors';
import { summarizeKey, summarizeKeys, type KeySummary } from './summarize-key';

let alice: TestKey;
beforeAll(async () => {
  alice = await makeTestKey();
});

async function dearmor(armored: string): Promise<Uint8Array> {
  return (await openpgp.readKey({ armoredKey: armored })).write();
}

describe('summarizeKey', () => {
  it.each<[GnuPGFixture, Date, Partial<KeySummary>]>([
    [
      'gnupg-ed25519.pub',
      NOW,
      {
        fingerprint: FPR['gnupg-ed25519'] as never,
        keyId: FPR['gnupg-ed25519'].slice(-16) as never,
        version: 4,
        algorithm: 'Ed25519',
        algorithmId: 22,
        userIds: ['GnuPG Ed25519 <gnupg-ed25519@example.org>'],
        emails: ['gnupg-ed25519@example.org' as never],
        created: Date.parse('2025-01-01T00:00:00Z'),
        expires: null,
        revoked: false,
        expired: false,
        canEncrypt: true,
        canSign: true,
        supportsSeipdv2: false,
        isPrivate: false,
        isLocked: false,
      },
    ],
    [
      'gnupg-ed25519.sec',
      NOW,
      { fingerprint: FPR['gnupg-ed25519'] as never, isPrivate: true, isLocked: true },
    ],
    [
      'gnupg-rsa3072.pub',
      NOW,
      { algorithm: 'RSA 3072', algorithmId: 1, canEncrypt: true, supportsSeipdv2: false },
    ],
    [
      'gnupg-expired.pub',
      NOW,
      {
        expires: Date.parse('2021-01-01T12:00:00Z'),
        expired: true,
        revoked: false,
        canEncrypt: false,
        canSign: false,
      },
    ],
    ['gnupg-expired.pub', new Date('2020-06-01T00:00:00Z'), { expired: false, canEncrypt: true }],
    ['gnupg-revoked.pub', NOW, { revoked: true, expired: false, canEncrypt: false, canSign: false }],
  ])('summarizes %s at %o', async (fixture, date, expected) => {
    expect(await summarizeKey(readFixture(fixture), { date })).toMatchObject(expected);
  });

  it('summarizes subkeys', async () => {
    const { subkeys } = await summarizeKey(readFixture('gnupg-rsa3072.pub'), { date: NOW });
    expect(subkeys).toEqual([
      {
        fingerprint: FPR['gnupg-rsa3072/encryption'],
        keyId: FPR['gnupg-rsa3072/encryption'].slice(-16),
        algorithm: 'RSA 3072',
        algorithmId: 1,
        created: Date.parse('2025-01-01T00:00:00Z'),
        expires: null,
        revoked: false,
        expired: false,
        canEncrypt: true,
        canSign: false,
      },
    ]);
  });

  it('reads binary keys and armored text given as bytes alike', async () => {
    const armored = readFixture('gnupg-ed25519.pub');
    const expected = await summarizeKey(armored, { date: NOW });
    expect(await summarizeKey(await dearmor(armored), { date: NOW })).toEqual(expected);
    expect(await summarizeKey(new TextEncoder().encode(armored), { date: NOW })).toEqual(expected);
  });

  it('summarizes a v6 key (64-digit fingerprint, key id from its start)', async () => {
    const bob = await makeTestKey({ version: 6, name: 'Bob', email: 'bob@example.org' });
    const summary = await summarizeKey(bob.publicKeyArmored, { date: NOW });
    expect(summary.fingerprint).toMatch(/^[0-9A-F]{64}$/);
    expect(summary.keyId).toBe(summary.fingerprint.slice(0, 16));
    expect(summary).toMatchObject({ version: 6, userIds: ['Bob <bob@example.org>'], supportsSeipdv2: true });
  });

  it('ignores a user id appended without a self-signature', async () => {
    const key = await openpgp.readKey({ armoredKey: alice.publicKeyArmored });
    const packets = key.toPacketList();
    packets.push(openpgp.UserIDPacket.fromObject({ name: 'Mallory', email: 'mallory@evil.example' }));
    const forged = new openpgp.PublicKey(packets).armor();
    const summary = await summarizeKey(forged, { date: NOW });
    expect(summary.userIds).toEqual(['Alice Example <alice@example.org>']);
    expect(summary.emails).toEqual(['alice@example.org']);
  });

  it('ignores a user id whose self-certification is revoked', async () => {
    const { privateKey } = await openpgp.generateKey({
      userIDs: [
        { name: 'Carol', email: 'carol@example.org' },
        { name: 'Carol Old', email: 'carol@old.example' },
      ],
      date: NOW,
      format: 'object',
    });
    const old = privateKey.users[1]!;
    const revoked = await old.revoke(privateKey.keyPacket as openpgp.SecretKeyPacket, undefined, NOW);
    privateKey.users[1] = revoked;
    const summary = await summarizeKey(privateKey.toPublic().armor(), { date: NOW });
    expect(summary.emails).toEqual(['carol@example.org']);
  });

  it('refuses several keys where one is expected, and summarizes them all on request', async () => {
    const both = readFixture('gnupg-ed25519.pub') + readFixture('gnupg-rsa3072.pub');
    const error: unknown = await summarizeKey(both, { date: NOW }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toBe('Expected one OpenPGP key, found 2.');
    const summaries = await summarizeKeys(both, { date: NOW });
    expect(summaries.map((s) => s.fingerprint)).toEqual([FPR['gnupg-ed25519'], FPR['gnupg-rsa3072']]);
  });

  it.each<[string, string | Uint8Array]>([
    ['an empty string', ''],
    ['plain text', 'hello, world'],
    [
      'armor with a broken body',
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n',
    ],
    ['random binary', new Uint8Array([0x99, 0x01, 0x02, 0x03, 0xff, 0xee])],
    ['empty bytes', new Uint8Array()],
    ['a truncated key', readFixture('gnupg-ed25519.pub').slice(0, 300)],
  ])('refuses %s with invalid_input', async (_, input) => {
    const error: unknown = await summarizeKey(input, { date: NOW }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toMatch(/OpenPGP key/);
  });
});
