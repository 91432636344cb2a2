import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHEAP_ARGON2,
  FIXTURE_PASSPHRASE,
  makeTestKey,
  NOW,
  readFixture,
  type TestKey,
} from '../../tests/fixtures/test-keys';
import { isKeywardError, type ErrorCode } from '../errors';
import { changePassphrase, lockKey, openPrivateKey, unlockKey } from './lock-key';
import { summarizeKey } from './summarize-key';

let alice: TestKey;
beforeAll(async () => {
  alice = await makeTestKey();
});

async function failure(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isKeywardError(error)) throw new Error(`expected a KeywardError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

/** Rewrites the Argon2 parameters of every locked packet, as a hostile key file could. */
async function withArgon2(armored: string, change: { t?: number; encodedM?: number }): Promise<string> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  for (const { keyPacket } of key.getKeys())
    Object.assign((keyPacket as unknown as { s2k: object }).s2k, change);
  return key.armor();
}

describe('unlockKey / lockKey / changePassphrase', () => {
  it('unlocks with the right passphrase', async () => {
    const unlocked = await unlockKey(alice.privateKeyArmored, alice.passphrase);
    expect(await summarizeKey(unlocked, { date: NOW })).toMatchObject({ isPrivate: true, isLocked: false });
  });

  it('refuses a wrong passphrase with a clear message', async () => {
    expect(await failure(unlockKey(alice.privateKeyArmored, 'wrong'))).toEqual({
      code: 'forbidden',
      message: 'Wrong passphrase for this key.',
    });
  });

  it('locks with Argon2id S2K and AEAD', async () => {
    const locked = await lockKey(alice.unlocked, 'new passphrase', { argon2: CHEAP_ARGON2 });
    const key = await openpgp.readPrivateKey({ armoredKey: locked });
    for (const { keyPacket } of key.getKeys()) {
      expect(keyPacket).toMatchObject({ s2kUsage: 253, s2k: { type: 'argon2' } });
    }
    expect(await summarizeKey(locked, { date: NOW })).toMatchObject({ isLocked: true });
  });

  it('changes the passphrase: the new one opens the key, the old one no longer does', async () => {
    const relocked = await changePassphrase(alice.privateKeyArmored, alice.passphrase, 'a new passphrase', {
      argon2: CHEAP_ARGON2,
    });
    await expect(unlockKey(relocked, 'a new passphrase')).resolves.toContain('PRIVATE KEY BLOCK');
    expect((await failure(unlockKey(relocked, alice.passphrase))).code).toBe('forbidden');
  });

  it('unlocks a GnuPG-exported key (iterated+salted S2K)', async () => {
    const unlocked = await unlockKey(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    expect(await summarizeKey(unlocked, { date: NOW })).toMatchObject({ isLocked: false });
  });

  it.each([
    ['a public key', () => unlockKey(alice.publicKeyArmored, 'x'), /public key/],
    ['a key without protection', () => unlockKey(alice.unlocked, 'x'), /no passphrase protection/],
    ['garbage', () => unlockKey('not a key', 'x'), /not a readable OpenPGP key/],
    ['locking a locked key', () => lockKey(alice.privateKeyArmored as never, 'x'), /unlock it first/],
    ['locking with an empty passphrase', () => lockKey(alice.unlocked, ''), /passphrase is required/],
  ])('refuses %s', async (_, run, message) => {
    const { code, message: text } = await failure(run());
    expect(code).toBe('invalid_input');
    expect(text).toMatch(message);
  });

  it('rejects a key whose Argon2 S2K asks for more memory than allowed, before running it', async () => {
    const hostile = await withArgon2(alice.privateKeyArmored, { encodedM: 22 }); // 4 GiB
    const started = Date.now();
    expect(await failure(unlockKey(hostile, alice.passphrase))).toEqual({
      code: 'too_large',
      message:
        "This key's passphrase protection asks for 4096 MiB of memory; Keyward allows at most 256 MiB.",
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects a key whose Argon2 passes would stall the device, before running them', async () => {
    const hostile = await withArgon2(alice.privateKeyArmored, { t: 255, encodedM: 16 });
    const started = Date.now();
    const { code, message } = await failure(unlockKey(hostile, alice.passphrase));
    expect(code).toBe('too_large');
    expect(message).toMatch(/far more expensive/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('openPrivateKey', () => {
  const never = () => Promise.reject(new Error('the passphrase was asked for an unprotected key'));

  it('takes an unprotected key as it is, without asking for a passphrase', async () => {
    const { privateKey } = await openpgp.generateKey({
      userIDs: [{ email: 'app@example.org' }],
      format: 'armored',
    });
    const opened = await openPrivateKey(privateKey, never);
    expect(await summarizeKey(opened, { date: new Date() })).toMatchObject({
      isPrivate: true,
      isLocked: false,
    });
  });

  it('asks for the passphrase of a protected key only then, and unlocks it', async () => {
    let asked = 0;
    const opened = await openPrivateKey(alice.privateKeyArmored, () => {
      asked += 1;
      return Promise.resolve(alice.passphrase);
    });
    expect(asked).toBe(1);
    expect(opened).toBe(await unlockKey(alice.privateKeyArmored, alice.passphrase));
  });

  it('refuses a wrong passphrase, a public key, and a hostile Argon2 cost before running it', async () => {
    expect(
      (await failure(openPrivateKey(alice.privateKeyArmored, () => Promise.resolve('wrong')))).code,
    ).toBe('forbidden');
    expect((await failure(openPrivateKey(alice.publicKeyArmored, never))).message).toMatch(/public key/);
    const hostile = await withArgon2(alice.privateKeyArmored, { encodedM: 22 });
    expect((await failure(openPrivateKey(hostile, () => Promise.resolve(alice.passphrase)))).code).toBe(
      'too_large',
    );
  });
});
