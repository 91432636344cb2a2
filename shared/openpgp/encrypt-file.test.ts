import { randomBytes } from 'node:crypto';
import { decrypt, enums, readKey, readMessage, readPrivateKey, type Signature } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_FINGERPRINTS as FPR,
  FIXTURE_PASSPHRASE,
  makeTestKey,
  NOW,
  readFixture,
  type TestKey,
} from '../../tests/fixtures/test-keys';
import { isKeywardError } from '../errors';
import { readAllBytes } from './byte-streams';
import { decryptFile } from './decrypt-file';
import { encryptFile, warmUpFileEncryption } from './encrypt-file';
import { inspectMessage } from './inspect-message';
import { unlockKey, type UnlockedKey } from './lock-key';
import { AEAD_CHUNK_SIZE_BYTE } from './profile';
import { piecewise } from '../../tests/fixtures/piecewise-stream';

let alice: TestKey;
let bob: TestKey; // v6
let gnupgUnlocked: UnlockedKey;
beforeAll(async () => {
  alice = await makeTestKey();
  bob = await makeTestKey({ version: 6, name: 'Bob', email: 'bob@example.org' });
  gnupgUnlocked = await unlockKey(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
});

/** Several AEAD chunks plus a partial one, so chunk boundaries are crossed. */
const PLAINTEXT = randomBytes(3 * 2 ** (AEAD_CHUNK_SIZE_BYTE + 6) + 12345);

async function roundTrip(recipients: string[], keys: UnlockedKey[], plaintext: Uint8Array = PLAINTEXT) {
  const encrypted = await encryptFile({
    plaintext: piecewise(plaintext),
    recipients,
    date: NOW,
    filename: 'report.pdf',
  });
  const ciphertext = await readAllBytes(encrypted.ciphertext);
  const info = await inspectMessage(ciphertext);
  const decrypted = await decryptFile({ ciphertext: piecewise(ciphertext), keys, date: NOW });
  return { encrypted, info, decrypted, output: await readAllBytes(decrypted.plaintext) };
}

describe('encryptFile with a signature', () => {
  it('signs inside the encryption; the reader learns the signer once the data is read', async () => {
    const encrypted = await encryptFile({
      plaintext: piecewise(PLAINTEXT),
      recipients: [bob.publicKeyArmored],
      date: NOW,
      signingKey: alice.unlocked,
    });
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    const decrypted = await decryptFile({
      ciphertext,
      keys: [bob.unlocked],
      date: NOW,
      verificationKeys: [alice.publicKeyArmored],
    });
    expect(Buffer.from(await readAllBytes(decrypted.plaintext)).equals(PLAINTEXT)).toBe(true);
    expect(await decrypted.signatures).toEqual([{ keyId: alice.summary.keyId, valid: true }]);
  });

  it.each([
    [6, 'SHA-256', enums.hash.sha256],
    [4, 'SHA-512', enums.hash.sha512],
  ] as const)('signs for a v%i key with %s', async (v, _name, hash) => {
    // SHA-256 streams fastest in JS; openpgp.js insists on SHA-512 for v4 (legacy EdDSA on Curve25519) keys.
    const signer = v === 4 ? alice : bob;
    const encrypted = await encryptFile({
      plaintext: PLAINTEXT.subarray(0, 1000),
      recipients: [alice.publicKeyArmored],
      date: NOW,
      signingKey: signer.unlocked,
    });
    const result: unknown = await decrypt({
      message: await readMessage({ binaryMessage: await readAllBytes(encrypted.ciphertext) }),
      decryptionKeys: await readPrivateKey({ armoredKey: alice.unlocked }),
      verificationKeys: await readKey({ armoredKey: signer.publicKeyArmored }),
      expectSigned: true,
      format: 'binary',
    });
    const [signed] = (result as { signatures: { signature: Promise<Signature> }[] }).signatures;
    const packet = (await signed!.signature).packets[0]!;
    expect(packet.hashAlgorithm).toBe(hash);
  });

  it('reports a signature by a key it does not know as not valid, and an unsigned file as unsigned', async () => {
    const signed = await encryptFile({
      plaintext: new Uint8Array([1, 2, 3]),
      recipients: [bob.publicKeyArmored],
      date: NOW,
      signingKey: alice.unlocked,
    });
    const unknown = await decryptFile({
      ciphertext: await readAllBytes(signed.ciphertext),
      keys: [bob.unlocked],
      date: NOW,
    });
    await readAllBytes(unknown.plaintext);
    expect(await unknown.signatures).toEqual([{ keyId: alice.summary.keyId, valid: false }]);

    const unsigned = await encryptFile({
      plaintext: new Uint8Array([1]),
      recipients: [bob.publicKeyArmored],
      date: NOW,
    });
    const plain = await decryptFile({
      ciphertext: await readAllBytes(unsigned.ciphertext),
      keys: [bob.unlocked],
      date: NOW,
      verificationKeys: [alice.publicKeyArmored],
    });
    await readAllBytes(plain.plaintext);
    expect(await plain.signatures).toEqual([]);
  });
});

describe('encryptFile', () => {
  it('uses SEIPDv2 with AES-256-GCM and our chunk size for Keyward keys, and decrypts back', async () => {
    const { encrypted, info, decrypted, output } = await roundTrip(
      [alice.publicKeyArmored],
      [alice.unlocked],
    );
    expect(encrypted.encryption).toBe('seipdv2');
    expect(encrypted.recipients).toEqual([alice.summary.fingerprint]);
    expect(info).toMatchObject({ encryption: 'seipdv2', aead: 'gcm', chunkSizeByte: AEAD_CHUNK_SIZE_BYTE });
    expect(info.recipients.map((r) => r.keyId)).toEqual([alice.summary.subkeys[0]!.keyId]);
    expect(decrypted).toMatchObject({ filename: 'report.pdf', encryption: 'seipdv2' });
    expect(Buffer.from(output).equals(PLAINTEXT)).toBe(true);
  });

  it('encrypts for a v6 key (PKESK v6 names the subkey by fingerprint)', async () => {
    const { info, output } = await roundTrip([bob.publicKeyArmored], [bob.unlocked]);
    expect(info).toMatchObject({ encryption: 'seipdv2', aead: 'gcm' });
    expect(info.recipients).toEqual([
      { keyId: bob.summary.subkeys[0]!.keyId, fingerprint: bob.summary.subkeys[0]!.fingerprint },
    ]);
    expect(Buffer.from(output).equals(PLAINTEXT)).toBe(true);
  });

  it('falls back to SEIPDv1 for a GnuPG-made key, which does not advertise SEIPDv2', async () => {
    const { encrypted, info, output } = await roundTrip([readFixture('gnupg-ed25519.pub')], [gnupgUnlocked]);
    expect(encrypted.encryption).toBe('seipdv1');
    expect(info).toMatchObject({ encryption: 'seipdv1', aead: null });
    expect(info.recipients.map((r) => r.keyId)).toEqual([FPR['gnupg-ed25519/encryption'].slice(-16)]);
    expect(Buffer.from(output).equals(PLAINTEXT)).toBe(true);
  });

  it('uses SEIPDv1 when any one recipient lacks SEIPDv2, and every recipient can decrypt', async () => {
    const recipients = [alice.publicKeyArmored, bob.publicKeyArmored, readFixture('gnupg-rsa3072.pub')];
    const encrypted = await encryptFile({ plaintext: PLAINTEXT, recipients, date: NOW });
    expect(encrypted.encryption).toBe('seipdv1');
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    expect((await inspectMessage(ciphertext)).encryption).toBe('seipdv1');
    for (const key of [alice.unlocked, bob.unlocked]) {
      const { plaintext } = await decryptFile({ ciphertext, keys: [key], date: NOW });
      expect(Buffer.from(await readAllBytes(plaintext)).equals(PLAINTEXT)).toBe(true);
    }
  });

  it('writes SEIPDv1 with AES-256 for Keyward keys when asked for files GnuPG can open, signed, and decrypts back', async () => {
    const encrypted = await encryptFile({
      plaintext: PLAINTEXT,
      recipients: [alice.publicKeyArmored],
      date: NOW,
      signingKey: alice.unlocked,
      forGnuPG: true,
    });
    expect(encrypted.encryption).toBe('seipdv1');
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    const info = await inspectMessage(ciphertext);
    expect(info).toMatchObject({ encryption: 'seipdv1', aead: null });
    const { plaintext, signatures } = await decryptFile({
      ciphertext,
      keys: [alice.unlocked],
      date: NOW,
      verificationKeys: [alice.publicKeyArmored],
    });
    expect(Buffer.from(await readAllBytes(plaintext)).equals(PLAINTEXT)).toBe(true);
    expect(await signatures).toEqual([expect.objectContaining({ valid: true })]);
  });

  it('encrypts with a password alone (Argon2id, SEIPDv2): the password opens it, a wrong one says so', async () => {
    const encrypted = await encryptFile({
      plaintext: PLAINTEXT,
      recipients: [],
      passwords: ['tall-river-7'],
      date: NOW,
      filename: 'for-someone.bin',
    });
    expect(encrypted.encryption).toBe('seipdv2');
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    const info = await inspectMessage(ciphertext);
    expect(info).toMatchObject({ passwordProtected: true, recipients: [], encryption: 'seipdv2' });
    const opened = await decryptFile({ ciphertext, keys: [], password: 'tall-river-7', date: NOW });
    expect(Buffer.from(await readAllBytes(opened.plaintext)).equals(PLAINTEXT)).toBe(true);
    expect(opened.filename).toBe('for-someone.bin');
    const wrong: unknown = await decryptFile({
      ciphertext,
      keys: [],
      password: 'tall-river-8',
      date: NOW,
    }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'forbidden', details: { reason: 'wrong_passphrase' } });
    // openpgp.js on its own (any RFC 9580 reader) opens it with the password.
    const plain = await decrypt({
      message: await readMessage({ binaryMessage: ciphertext }),
      passwords: ['tall-river-7'],
      format: 'binary',
    });
    expect(Buffer.from(plain.data as Uint8Array).equals(PLAINTEXT)).toBe(true);
  });

  it('refuses a password for a file that has none', async () => {
    const encrypted = await encryptFile({
      plaintext: PLAINTEXT,
      recipients: [alice.publicKeyArmored],
      date: NOW,
    });
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    const error: unknown = await decryptFile({ ciphertext, keys: [], password: 'x', date: NOW }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'forbidden',
      message: 'This file cannot be opened with a password.',
    });
  });

  it('encrypts an empty file and a Uint8Array input', async () => {
    const { output } = await roundTrip([alice.publicKeyArmored], [alice.unlocked], new Uint8Array());
    expect(output).toHaveLength(0);
    const encrypted = await encryptFile({
      plaintext: new Uint8Array([1, 2, 3]),
      recipients: [alice.publicKeyArmored],
      date: NOW,
    });
    const { plaintext } = await decryptFile({
      ciphertext: await readAllBytes(encrypted.ciphertext),
      keys: [alice.unlocked],
      date: NOW,
    });
    expect([...(await readAllBytes(plaintext))]).toEqual([1, 2, 3]);
  });

  it('counts a recipient given twice once, and uses the public part of a private key', async () => {
    const encrypted = await encryptFile({
      plaintext: new Uint8Array([1]),
      recipients: [alice.publicKeyArmored, alice.privateKeyArmored],
      date: NOW,
    });
    expect(encrypted.recipients).toEqual([alice.summary.fingerprint]);
    const info = await inspectMessage(await readAllBytes(encrypted.ciphertext));
    expect(info.recipients).toHaveLength(1);
  });

  it.each([
    ['no recipient', () => [], /At least one recipient/],
    ['an expired key', () => [readFixture('gnupg-expired.pub')], /expired on 2021-01-01/],
    ['a revoked key', () => [readFixture('gnupg-revoked.pub')], /is revoked/],
    [
      'a key created after the date',
      () => [alice.publicKeyArmored],
      /no subkey that can encrypt/,
      new Date('2024-01-01'),
    ],
    ['garbage', () => ['not a key'], /not a readable OpenPGP key/],
  ])('refuses %s', async (_, recipients, message, date = NOW) => {
    const error: unknown = await encryptFile({
      plaintext: new Uint8Array([1]),
      recipients: recipients(),
      date,
    }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe('a file that changes on disk while it is read', () => {
  // Chromium ends a picked file's stream early, without an error, when the file shrinks on disk meanwhile.
  for (const [what, bytes] of [
    ['cut short', PLAINTEXT.subarray(0, 100_000)],
    ['grown', Buffer.concat([PLAINTEXT, Buffer.from('more')])],
  ] as const) {
    it(`${what}: the ciphertext stream fails (signed or not), so no partial file is taken for the whole`, async () => {
      for (const signingKey of [undefined, alice.unlocked]) {
        const encrypted = await encryptFile({
          plaintext: piecewise(bytes),
          recipients: [alice.publicKeyArmored],
          date: NOW,
          plaintextLength: PLAINTEXT.length,
          ...(signingKey ? { signingKey } : {}),
        });
        const error: unknown = await readAllBytes(encrypted.ciphertext).catch((e: unknown) => e);
        expect(isKeywardError(error, 'invalid_input'), String(error)).toBe(true);
        expect((error as Error).message).toMatch(/changed on disk while Keyward was reading it/);
      }
    });
  }

  it('a stream of exactly the expected length encrypts as usual', async () => {
    const encrypted = await encryptFile({
      plaintext: piecewise(PLAINTEXT),
      recipients: [alice.publicKeyArmored],
      date: NOW,
      plaintextLength: PLAINTEXT.length,
    });
    const decrypted = await decryptFile({
      ciphertext: encrypted.ciphertext,
      keys: [alice.unlocked],
      date: NOW,
    });
    expect(Buffer.from(await readAllBytes(decrypted.plaintext)).equals(PLAINTEXT)).toBe(true);
  });
});

describe('warmUpFileEncryption', () => {
  it('runs a whole signed encryption to a throwaway key of its own, and needs nothing from the caller', async () => {
    // A waiting upload worker runs this with none of the user's keys. If it threw, the worker would swallow the
    // error and stay cold, which would show only in the benchmark: hence this test.
    await expect(warmUpFileEncryption(new Date('2026-01-02T03:04:05Z'))).resolves.toBeUndefined();
  });
});
