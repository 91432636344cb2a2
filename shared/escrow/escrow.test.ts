import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { makeTestKey } from '../../keyserver/test-support/test-keys';
import type { UnlockedKey } from '../openpgp';
import { readAllBytes, toByteStream } from '../openpgp/byte-streams';
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
    // A typo in the last word: BIP39's all-zero test vector ends in "about"; with "abandon" its checksum fails. (A
    // random phrase with a changed last word passes the 4-bit checksum one time in 16, so it is a fixed one.)
    const valid = `${'abandon '.repeat(11)}about`;
    expect(normalizeRecoveryPhrase(valid)).toBe(valid);
    const typo = `${'abandon '.repeat(11)}abandon`;
    expect(() => normalizeRecoveryPhrase(typo)).toThrow(/not a valid recovery code/);
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

  it('a hostile keyserver’s escrow that would stall the device (many or too costly Argon2 key packets) is refused before any key stretching', async () => {
    const { key, phrase } = await escrowed();
    /** An escrow-like message with these key packets' Argon2 parameters written in after a cheap encryption. */
    const hostile = async (argon2: { passes: number; memoryExponent: number }[]) => {
      const encrypted: unknown = await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: new Uint8Array([1, 2, 3]) }),
        passwords: argon2.map((_, i) => (i === 0 ? phrase : `other ${i}`)),
        format: 'binary',
        config: {
          aeadProtect: true,
          s2kType: openpgp.enums.s2k.argon2,
          s2kArgon2Params: { passes: 1, parallelism: 1, memoryExponent: 10 },
        },
      });
      const message = await openpgp.readMessage({ binaryMessage: encrypted as Uint8Array });
      argon2.forEach(({ passes, memoryExponent }, i) => {
        const s2k = (message.packets[i] as unknown as { s2k: { t: number; encodedM: number } }).s2k;
        s2k.t = passes;
        s2k.encodedM = memoryExponent;
      });
      // Packets read back are written as a stream; gathered, they are armored like any message.
      const written = await readAllBytes(toByteStream(message.write() as ReadableStream<Uint8Array>));
      return openpgp.armor(openpgp.enums.armor.message, written);
    };
    const refusals = [
      // 2^30 KiB = 1 GiB of WASM memory per try: more than any device is asked for.
      [
        { passes: 1, memoryExponent: 30 },
        { passes: 1, memoryExponent: 10 },
      ],
      // Within the memory cap, but 255 passes on each packet: minutes of stretching per restore.
      [
        { passes: 255, memoryExponent: 18 },
        { passes: 255, memoryExponent: 18 },
      ],
      // Cheap packets, but six of them: each is tried in turn.
      Array.from({ length: 6 }, () => ({ passes: 1, memoryExponent: 10 })),
    ];
    const failure = (attempt: Promise<unknown>) =>
      attempt.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    for (const packets of refusals) {
      const escrow = await hostile(packets);
      for (const attempt of [openEscrow(escrow, phrase), replacePassphrasePacket(escrow, phrase, 'next')]) {
        const error = await failure(attempt);
        expect(error, JSON.stringify(packets)).toMatchObject({ code: 'invalid_input' });
        expect(error?.message).toMatch(/key stretching|not a Keyward escrow/);
      }
    }
    // Two cheap packets pass the check (and then fail only because there is no key inside).
    const fine = await hostile([
      { passes: 1, memoryExponent: 10 },
      { passes: 1, memoryExponent: 10 },
    ]);
    expect((await failure(openEscrow(fine, phrase)))?.message).not.toMatch(
      /key stretching|not a Keyward escrow/,
    );
    expect(key.privateArmored).toContain('PRIVATE KEY');
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
