import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { makeTestKey } from '../../keyserver/test-support/test-keys';
import type { UnlockedKey } from '../openpgp';
import {
  checkProfile,
  makeEscrow,
  newRecoveryPhrase,
  normalizeRecoveryPhrase,
  openEscrow,
  passphraseSecret,
  recoveryVerifier,
  replacePassphrasePacket,
} from './index';

const EXPORT_KEY = 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA';

async function escrowed() {
  const key = await makeTestKey([{ name: 'Esme', email: 'esme@example.org' }]);
  const phrase = newRecoveryPhrase();
  const secret = passphraseSecret(EXPORT_KEY);
  const escrow = await makeEscrow({
    key: key.privateArmored as UnlockedKey,
    passphraseSecret: secret,
    recoveryPhrase: phrase,
    date: new Date(),
  });
  return { key, phrase, secret, escrow };
}

async function dearmored(armored: string): Promise<Uint8Array> {
  const unarmored: unknown = await openpgp.unarmor(armored);
  return (unarmored as { data: Uint8Array }).data;
}

describe('recovery codes', () => {
  it('are 12 BIP39 words, 128 bits, different each time', () => {
    const a = newRecoveryPhrase();
    expect(a.split(' ')).toHaveLength(12);
    expect(newRecoveryPhrase()).not.toBe(a);
    expect(normalizeRecoveryPhrase(a)).toBe(a);
  });

  it('accept what people type: case, spaces, new lines, numbering', () => {
    const phrase = newRecoveryPhrase();
    const typed = phrase
      .split(' ')
      .map((w, i) => `${i + 1}. ${w.toUpperCase()}`)
      .join('\n  ');
    expect(normalizeRecoveryPhrase(typed)).toBe(phrase);
  });

  it('refuse a wrong count, an unknown word, and a typo the checksum catches', () => {
    const words = newRecoveryPhrase().split(' ');
    expect(() => normalizeRecoveryPhrase(words.slice(0, 11).join(' '))).toThrow('has 12 words; this has 11');
    expect(() => normalizeRecoveryPhrase([...words.slice(0, 11), 'keyward'].join(' '))).toThrow(
      '“keyward” is not a word',
    );
    const last = words[11] === 'zoo' ? 'abandon' : 'zoo';
    const typo = [...words.slice(0, 11), last].join(' ');
    expect(() => normalizeRecoveryPhrase(typo)).toThrow(/not a valid recovery code|not a word/);
  });
});

describe('derived secrets', () => {
  it('are stable, distinct per purpose, and not the input', () => {
    expect(passphraseSecret(EXPORT_KEY)).toMatch(/^[0-9a-f]{64}$/);
    expect(passphraseSecret(EXPORT_KEY)).toBe(passphraseSecret(EXPORT_KEY));
    expect(passphraseSecret(EXPORT_KEY.replace('q', 'r'))).not.toBe(passphraseSecret(EXPORT_KEY));
    const phrase = newRecoveryPhrase();
    expect(recoveryVerifier(phrase)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(recoveryVerifier(phrase)).not.toContain(phrase.split(' ')[0]);
  });

  it('the client accepts only its own Argon2 profiles (a server cannot push a denial-of-service cost)', () => {
    expect(checkProfile('argon2id-256m')).toBe('argon2id-256m');
    expect(() => checkProfile('argon2id-4096m')).toThrow('does not accept');
    expect(() => checkProfile({ memory: 1 << 30 })).toThrow('does not accept');
  });
});

describe('the escrow message', () => {
  it('opens with the recovery phrase alone using openpgp.js directly (no Keyward code): no lock-in', async () => {
    const { key, phrase, escrow } = await escrowed();
    const message = await openpgp.readMessage({ armoredMessage: escrow });
    // openpgp.js's decrypt typings do not resolve under typed lint; the shape is known.
    const result: unknown = await openpgp.decrypt({ message, passwords: [phrase], format: 'binary' });
    const inside = await openpgp.readPrivateKey({ binaryKey: (result as { data: Uint8Array }).data });
    expect(inside.getFingerprint().toUpperCase()).toBe(key.fingerprint);
    expect(inside.isDecrypted()).toBe(true);
    // Two symmetric key packets (v6), then the data as SEIPD version 2 (AEAD).
    expect(message.packets.map((p) => (p.constructor as unknown as { tag: number }).tag)).toEqual([3, 3, 18]);
    expect(message.packets.map((p) => (p as unknown as { version: number }).version)).toEqual([6, 6, 2]);
  });

  it('opens with the passphrase secret and the recovery phrase, not with anything else', async () => {
    const { key, phrase, secret, escrow } = await escrowed();
    for (const password of [secret, phrase]) {
      const opened = await openEscrow(escrow, password);
      expect((await openpgp.readPrivateKey({ armoredKey: opened })).getFingerprint().toUpperCase()).toBe(
        key.fingerprint,
      );
    }
    await expect(openEscrow(escrow, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      openEscrow('-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n', phrase),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('a passphrase change replaces only the passphrase packet: the old secret stops, the recovery code and body stay', async () => {
    const { phrase, secret, escrow } = await escrowed();
    const next = passphraseSecret(EXPORT_KEY.replace('q', 'Z'));
    const changed = await replacePassphrasePacket(escrow, secret, next);
    await expect(openEscrow(changed, next)).resolves.toContain('PRIVATE KEY BLOCK');
    await expect(openEscrow(changed, phrase)).resolves.toContain('PRIVATE KEY BLOCK');
    await expect(openEscrow(changed, secret)).rejects.toMatchObject({ code: 'forbidden' });
    const [before, after] = await Promise.all([escrow, changed].map(dearmored));
    // Each packet: a new-format header with a one-octet length (key packets are small), then its body.
    const firstLength = (bytes: Uint8Array) => 2 + bytes[1]!;
    expect(Buffer.from(after!.subarray(firstLength(after!)))).toEqual(
      Buffer.from(before!.subarray(firstLength(before!))),
    );
    expect(Buffer.from(after!.subarray(0, firstLength(after!)))).not.toEqual(
      Buffer.from(before!.subarray(0, firstLength(before!))),
    );
    await expect(replacePassphrasePacket(escrow, 'wrong', next)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
