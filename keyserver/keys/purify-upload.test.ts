import * as openpgp from 'openpgp';
import { describe, expect, it, vi } from 'vitest';
import { isKeywardError, type ErrorCode } from '../../shared/errors';
import {
  armoredKeyFixture,
  binaryKeyFixture,
  FIXTURE_NOW,
  type KeyFixture,
} from '../../tests/fixtures/keys/key-fixtures';
import { DEFAULT_KEY_LIMITS, type KeyLimits } from './key-limits';
import { purifyUpload } from './purify-upload';
import { scanPackets } from './scan-packets';
import { servableKey } from './servable-key';

const now = FIXTURE_NOW;
const purify = (input: string | Uint8Array, limits: KeyLimits = DEFAULT_KEY_LIMITS) =>
  purifyUpload(input, limits, now);
const purifyOne = async (input: string | Uint8Array, limits?: KeyLimits) => {
  const keys = await purify(input, limits);
  expect(keys).toHaveLength(1);
  return keys[0]!;
};
const fixture = (name: KeyFixture) => armoredKeyFixture(name);
const read = (packets: Uint8Array) => openpgp.readKey({ binaryKey: packets });
const dearmor = async (armored: string) => (await openpgp.unarmor(armored)).data as unknown as Uint8Array;
const aliceSecret = () => openpgp.readPrivateKey({ armoredKey: fixture('alice-v4.secret') });
const DAY = 86_400_000;
const BASE = new Date('2025-01-01T00:00:00Z');

async function refusal(
  input: string | Uint8Array,
  limits?: KeyLimits,
): Promise<{ code: ErrorCode; message: string }> {
  try {
    await purify(input, limits);
  } catch (e) {
    if (isKeywardError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected the upload to be refused');
}

/** Flips the last byte of the first signature after the first user ID: a self-signature that no longer verifies. */
function breakFirstUserIdSelfSignature(binary: Uint8Array): Uint8Array {
  const packets = scanPackets(binary);
  const sig = packets[packets.findIndex((p) => p.tag === 13) + 1]!;
  const out = new Uint8Array(binary);
  out[sig.bytes.byteOffset - binary.byteOffset + sig.bytes.length - 1]! ^= 0xff;
  return out;
}

describe('purifyUpload: ordinary keys', () => {
  it('accepts a v4 key and describes it', async () => {
    const key = await purifyOne(fixture('alice-v4'));
    expect(key).toMatchObject({
      fingerprint: '44218DCD970A961F92FECE69AFB3F6DAFDD98539',
      version: 4,
      keyIds: ['AFB3F6DAFDD98539', 'F31C0C55E93DBBE2'],
      emails: ['alice@example.org'],
      created: BASE.getTime(),
      expires: null,
      revoked: false,
      canEncrypt: true,
    });
    const parsed = await read(key.packets);
    expect(parsed.getUserIDs()).toEqual(['Alice Example <alice@example.org>']);
  });

  it('accepts a v6 key; its key ids are the high 64 bits of the fingerprint', async () => {
    const key = await purifyOne(fixture('bob-v6'));
    expect(key.version).toBe(6);
    expect(key.fingerprint).toHaveLength(64);
    expect(key.keyIds[0]).toBe(key.fingerprint.slice(0, 16));
    expect(key).toMatchObject({ emails: ['bob@example.org'], canEncrypt: true, revoked: false });
  });

  it('accepts binary as well as armor, and is idempotent', async () => {
    const once = await purifyOne(fixture('alice-v4'));
    const twice = await purifyOne(once.packets);
    expect(twice.packets).toEqual(once.packets);
    expect(await purifyOne(await dearmor(fixture('alice-v4')))).toEqual(once);
  });

  it('accepts armor with CRLF line ends and headers, pasted inside other text', async () => {
    const armored = fixture('alice-v4')
      .replace('-----\n\n', '-----\nComment: Alice Example <alice@example.org>\n\n')
      .replace(/\n/g, '\r\n');
    const key = await purifyOne(`Hi, here is my key:\r\n\r\n${armored}\r\nRegards, Alice`);
    expect(key.packets).toEqual((await purifyOne(fixture('alice-v4'))).packets);
  });

  it('reads a keyring of several keys, and merges a key listed twice', async () => {
    const keys = await purify(fixture('alice-v4') + '\n' + fixture('bob-v6') + '\n' + fixture('alice-v4'));
    expect(keys.map((k) => k.emails)).toEqual([['alice@example.org'], ['bob@example.org']]);
    const alone = await purifyOne(fixture('alice-v4'));
    expect(keys[0]!.packets).toEqual(alone.packets);
  });

  it('accepts a revoked key and keeps its revocation, so it reaches clients', async () => {
    const key = await purifyOne(fixture('revoked'));
    expect(key).toMatchObject({ revoked: true, canEncrypt: false, emails: ['dave@example.org'] });
    expect((await read(key.packets)).revocationSignatures).toHaveLength(1);
  });

  it('accepts an expired key and reports when it expired', async () => {
    const key = await purifyOne(fixture('expired'));
    expect(key).toMatchObject({
      expires: Date.parse('2024-01-31T00:00:00Z'),
      canEncrypt: false,
      revoked: false,
    });
  });

  it('accepts a key made a little "in the future" by a fast clock', async () => {
    const { publicKey } = await openpgp.generateKey({
      userIDs: [{ email: 'fast@example.org' }],
      date: new Date(now.getTime() + 60_000),
      format: 'binary',
    });
    expect((await purifyOne(publicKey)).emails).toEqual(['fast@example.org']);
  });
});

describe('purifyUpload: what it strips', () => {
  it('rejects a key flooded with third-party certifications: keeps the key, drops all 2000', async () => {
    const input = fixture('flooded-certifications');
    expect(input.length).toBeGreaterThan(400_000);
    const key = await purifyOne(input);
    expect(key.emails).toEqual(['flooded@example.org']);
    expect(key.packets.length).toBeLessThan(1024);
    const user = (await read(key.packets)).users[0]!;
    expect(user.otherCertifications).toHaveLength(0);
    expect(user.selfCertifications).toHaveLength(1);
  });

  it('strips user attributes (photo IDs)', async () => {
    const before = await openpgp.readKey({ armoredKey: fixture('photo-user-attribute') });
    expect(before.users.some((u) => u.userAttribute)).toBe(true);
    const after = await read((await purifyOne(fixture('photo-user-attribute'))).packets);
    expect(after.users.map((u) => u.userID?.userID ?? 'attribute')).toEqual(['Pat Photo <pat@example.org>']);
  });

  it('strips user IDs without an e-mail address', async () => {
    const key = await purifyOne(fixture('no-address-user-id'));
    expect((await read(key.packets)).getUserIDs()).toEqual(['Carol Example <carol@example.org>']);
    expect(key.emails).toEqual(['carol@example.org']);
  });

  it('never keeps a user ID whose self-signature is bad (user ID spoofing)', async () => {
    const key = await purifyOne(fixture('bad-self-signature'));
    expect(key.emails).toEqual(['frank@example.org']);
    expect((await read(key.packets)).getUserIDs()).toEqual(['Frank Example <frank@example.org>']);
  });

  it('drops a signing subkey bound without a back-signature (subkey hijacking)', async () => {
    const before = await openpgp.readKey({ armoredKey: fixture('signing-subkey-without-back-signature') });
    const signing = before.subkeys.find((s) => s.bindingSignatures[0]!.keyFlags![0]! & 0x02)!;
    const key = await purifyOne(fixture('signing-subkey-without-back-signature'));
    expect(key.keyIds).toHaveLength(2);
    expect(key.keyIds).not.toContain(signing.getKeyID().toHex().toUpperCase());
  });

  it('keeps a signing subkey that has its back-signature', async () => {
    const { publicKey } = await openpgp.generateKey({
      userIDs: [{ email: 'signer@example.org' }],
      subkeys: [{}, { sign: true }],
      date: BASE,
      format: 'binary',
    });
    expect((await purifyOne(publicKey)).keyIds).toHaveLength(3);
  });

  it('drops user IDs over the size limits, before openpgp.js parses them', async () => {
    const key = await purifyOne(fixture('huge-user-ids'));
    expect(key.emails).toEqual(['heidi@example.org']);
    expect(key.packets.length).toBeLessThan(1024);
  });

  it('merges duplicated subkeys into one', async () => {
    const key = await purifyOne(fixture('duplicated-subkeys'));
    const parsed = await read(key.packets);
    expect(parsed.subkeys).toHaveLength(1);
    expect(parsed.subkeys[0]!.bindingSignatures).toHaveLength(2);
    expect(key.keyIds).toHaveLength(2);
  });

  it('keeps only the newest self-signatures of a user ID', async () => {
    const secret = await aliceSecret();
    const resigned = await Promise.all(
      [10, 20, 30].map(async (days) => {
        const { publicKey } = await openpgp.reformatKey({
          privateKey: secret,
          userIDs: [{ name: 'Alice Example', email: 'alice@example.org' }],
          date: new Date(BASE.getTime() + days * DAY),
          format: 'armored',
        });
        return publicKey;
      }),
    );
    const limits = { ...DEFAULT_KEY_LIMITS, maxSignaturesPerComponent: 2 };
    const key = await purifyOne([fixture('alice-v4'), ...resigned].join('\n'), limits);
    const certs = (await read(key.packets)).users[0]!.selfCertifications.map((s) => s.created!.getTime());
    expect(certs.sort()).toEqual([BASE.getTime() + 20 * DAY, BASE.getTime() + 30 * DAY]);
  });

  it('over the user ID limit, keeps the user IDs with the newest self-signatures', async () => {
    const secret = await aliceSecret();
    const extra = await Promise.all(
      ['b', 'c'].map(async (name, i) => {
        const { publicKey } = await openpgp.reformatKey({
          privateKey: secret,
          userIDs: [{ email: `${name}@example.org` }],
          date: new Date(BASE.getTime() + (i + 1) * DAY),
          format: 'armored',
        });
        return publicKey;
      }),
    );
    const key = await purifyOne([fixture('alice-v4'), ...extra].join('\n'), {
      ...DEFAULT_KEY_LIMITS,
      maxUserIds: 2,
    });
    expect(key.emails).toEqual(['b@example.org', 'c@example.org']);
  });

  it('over the subkey limit, keeps the subkeys with the newest bindings', async () => {
    let secret = await aliceSecret();
    secret = await secret.addSubkey({ date: new Date(BASE.getTime() + DAY) });
    secret = await secret.addSubkey({ date: new Date(BASE.getTime() + 2 * DAY) });
    const newest = secret.subkeys.slice(1).map((s) => s.getKeyID().toHex().toUpperCase());
    const key = await purifyOne(secret.toPublic().write(), { ...DEFAULT_KEY_LIMITS, maxSubkeys: 2 });
    expect(key.keyIds.slice(1)).toEqual(newest);
  });
});

describe('purifyUpload: what it refuses', () => {
  it('refuses private key uploads with a clear message, armored or binary', async () => {
    const message =
      'This is a private key. Upload only your public key; your private key must never leave your device.';
    expect(await refusal(fixture('alice-v4.secret'))).toEqual({ code: 'invalid_input', message });
    expect(await refusal(await dearmor(fixture('alice-v4.secret')))).toEqual({
      code: 'invalid_input',
      message,
    });
    // Secret packets relabelled as a public key block still are a private key.
    const relabelled = fixture('alice-v4.secret').replace(/PRIVATE KEY BLOCK/g, 'PUBLIC KEY BLOCK');
    expect(await refusal(relabelled)).toEqual({ code: 'invalid_input', message });
  });

  it('refuses v3 keys', async () => {
    expect(await refusal(binaryKeyFixture('v3-key'))).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/version 3 key .* insecure/) as string,
    });
  });

  it('refuses v5 (LibrePGP) keys', async () => {
    expect(await refusal(binaryKeyFixture('v5-key'))).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/version 5 key/) as string,
    });
  });

  it('refuses a key without any user ID, unless the directory already holds it (an update)', async () => {
    const alice = await purifyOne(fixture('alice-v4'));
    const userIdLess = await servableKey(alice.packets, [], now);
    expect((await refusal(userIdLess)).message).toMatch(/has no user ID with an e-mail address/);
    const known = await purifyUpload(userIdLess, DEFAULT_KEY_LIMITS, now, {
      isKnown: (fpr) => fpr === alice.fingerprint,
    });
    expect(known).toMatchObject([{ fingerprint: alice.fingerprint, emails: [] }]);
  });

  it('refuses a key whose only user ID has no e-mail address, saying so', async () => {
    const { publicKey } = await openpgp.generateKey({
      userIDs: [{ name: 'Dave' }],
      date: BASE,
      format: 'binary',
    });
    expect(await refusal(publicKey)).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('user ID "Dave" has no e-mail address') as string,
    });
  });

  it('refuses a key whose user IDs are all unverifiable (user ID spoofing)', async () => {
    const broken = breakFirstUserIdSelfSignature(await dearmor(fixture('alice-v4')));
    expect(await refusal(broken)).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(
        '"Alice Example <alice@example.org>" has no valid self-signature',
      ) as string,
    });
  });

  it('checks a bounded number of forged self-signatures (CPU exhaustion)', async () => {
    const alice = await dearmor(fixture('alice-v4'));
    const packets = scanPackets(alice);
    const uidAt = packets.findIndex((p) => p.tag === 13);
    const selfSig = packets[uidAt + 1]!.bytes;
    const forged = Array.from({ length: 500 }, (_, i) => {
      const copy = new Uint8Array(selfSig);
      copy[copy.length - 1 - (i % 60)]! ^= (i >> 6) + 1; // 500 distinct signatures that claim to be Alice's
      return copy;
    });
    const upload = Buffer.concat([
      ...packets.slice(0, uidAt + 1).map((p) => p.bytes),
      ...forged,
      ...packets.slice(uidAt + 1).map((p) => p.bytes),
    ]);
    const verify = vi.spyOn(openpgp.SignaturePacket.prototype, 'verify');
    try {
      expect((await refusal(upload)).code).toBe('invalid_input');
      expect(verify.mock.calls.length).toBeLessThanOrEqual(5 * 4 + 2);
    } finally {
      verify.mockRestore();
    }
  });

  it('refuses an upload of more packets than any real key has (parser exhaustion)', async () => {
    const alice = await dearmor(fixture('alice-v4'));
    const junk = Buffer.concat(Array.from({ length: 20_000 }, () => Buffer.from([0xce, 3, 4, 0, 0])));
    const { code, message } = await refusal(Buffer.concat([alice, junk]));
    expect(code).toBe('too_large');
    expect(message).toContain('export-minimal');
  });

  it('refuses a key still too large after purification (too_large)', async () => {
    expect(await refusal(fixture('alice-v4'), { ...DEFAULT_KEY_LIMITS, maxKeyBytes: 400 })).toEqual({
      code: 'too_large',
      message:
        'Even without third-party signatures, photos and old self-signatures, key ' +
        '44218DCD970A961F92FECE69AFB3F6DAFDD98539 is 552 bytes; the limit is 400 bytes.',
    });
  });

  it('refuses a primary key packet over the packet limit (too_large)', async () => {
    expect((await refusal(fixture('alice-v4'), { ...DEFAULT_KEY_LIMITS, maxPacketBytes: 40 })).code).toBe(
      'too_large',
    );
  });

  const alice = fixture('alice-v4');
  const body = alice.split('\n\n')[1]!;
  it.each([
    ['an empty string', ''],
    ['plain text', 'hello, this is my key'],
    ['an address', 'alice@example.org'],
    ['armor cut off before its end line', alice.slice(0, alice.length / 2)],
    ['armor with its middle missing', alice.replace(body.slice(100, 400), '')],
    ['armor with garbage base64', alice.replace(body.slice(0, 200), 'A'.repeat(200))],
    ['armor without its blank line', alice.replace(/\n\n/, '\n')],
    ['a message, not a key', '-----BEGIN PGP MESSAGE-----\n\nwy4ECQMI\n-----END PGP MESSAGE-----\n'],
    ['a signature, not a key', '-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n'],
    ['empty bytes', new Uint8Array(0)],
    ['random bytes', new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256))],
    ['a packet header claiming 4 GiB', new Uint8Array([0xc6, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3])],
    ['a partial-length packet', new Uint8Array([0xc6, 0xe1, 1, 2, 3])],
    ['a signature before any key', new Uint8Array([0xc2, 0x01, 0x04])],
    ['a key packet of garbage', new Uint8Array([0xc6, 0x05, 4, 1, 2, 3, 4])],
  ])('refuses %s with invalid_input, without crashing', async (_name, input) => {
    const { code, message } = await refusal(input);
    expect(code).toBe('invalid_input');
    expect(message.length).toBeGreaterThan(10);
    expect(message.length).toBeLessThan(300);
  });
});
