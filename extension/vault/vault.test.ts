import { readKey, readPrivateKey, unarmor } from 'openpgp';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { manualClock } from '../../shared/clock';
import { generateKey } from '../../shared/openpgp';
import {
  CHEAP_ARGON2,
  FIXTURE_FINGERPRINTS,
  FIXTURE_PASSPHRASE,
  NOW,
  readFixture,
} from '../../tests/fixtures/test-keys';
import { localStorageArea, sessionStorageArea } from '../platform/storage';
import { createInProcessKeyWork } from './key-work';
import { FIRST_DELAY_S, FREE_FAILURES } from './unlock-throttle';
import { createVault } from './vault';
import { createVaultRecords } from './vault-records';

const PASS = 'correct horse battery staple';

/** The primary key's S2K as plain data (openpgp.js's packet typings do not expose it). */
function s2kOf(key: { keyPacket: unknown }): { type: string | undefined; usage: number | undefined } {
  const packet = key.keyPacket as { s2k?: { type?: string }; s2kUsage?: number };
  return { type: packet.s2k?.type, usage: packet.s2kUsage };
}
let clock: ReturnType<typeof manualClock>;
let autoLock = 30;

function makeVault() {
  return createVault({
    records: createVaultRecords(localStorageArea(), sessionStorageArea()),
    keyWork: createInProcessKeyWork({ argon2: CHEAP_ARGON2 }),
    clock,
    autoLockMinutes: () => Promise.resolve(autoLock),
  });
}
let vault: ReturnType<typeof makeVault>;

beforeEach(() => {
  fakeBrowser.reset();
  clock = manualClock(NOW);
  autoLock = 30;
  vault = makeVault();
});

const create = () =>
  vault.create({ name: 'Alice', email: 'alice@example.org', passphrase: PASS, version: 4 });
const everythingOnDisk = async () => JSON.stringify(await fakeBrowser.storage.local.get(null));

describe('vault: create, lock, unlock', () => {
  it('creates a key that is the default and unlocked, and keeps only the locked key on disk', async () => {
    const key = await create();
    expect(key).toMatchObject({ emails: ['alice@example.org'], isDefault: true, unlocked: true, version: 4 });
    expect(await vault.status()).toMatchObject({ keys: 1, locked: false });
    const disk = await everythingOnDisk();
    expect(disk).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    // What is on disk opens only with the passphrase: every secret packet is encrypted.
    const stored = (await fakeBrowser.storage.local.get('vault.keys'))['vault.keys'] as {
      keys: Record<string, { locked: string }>;
    };
    const onDisk = await readPrivateKey({ armoredKey: stored.keys[key.fingerprint]!.locked });
    expect(onDisk.getKeys().every((k) => k.keyPacket.isDecrypted() === false)).toBe(true);
  });

  it('locks and unlocks with the passphrase; a wrong one is refused', async () => {
    const key = await create();
    await vault.lock();
    expect(await vault.status()).toMatchObject({ locked: true });
    await expect(vault.use()).rejects.toMatchObject({ code: 'forbidden', details: { locked: 1 } });
    await expect(vault.unlock(undefined, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    expect((await vault.unlock(key.fingerprint, PASS)).unlocked).toBe(true);
    expect((await vault.use()).fingerprint).toBe(key.fingerprint);
  });

  it('never writes unlocked secret material to storage.local (after create, import, unlock)', async () => {
    const key = await create();
    await vault.lock();
    await vault.unlock(key.fingerprint, PASS);
    await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    const stored = (await fakeBrowser.storage.local.get('vault.keys'))['vault.keys'] as {
      keys: Record<string, { locked: string }>;
    };
    for (const { locked } of Object.values(stored.keys)) {
      const parsed = await readPrivateKey({ armoredKey: locked });
      expect(parsed.getKeys().every((k) => k.keyPacket.isDecrypted() === false)).toBe(true);
    }
    const session = JSON.stringify(await fakeBrowser.storage.session.get(null));
    expect(session).toContain('BEGIN PGP PRIVATE KEY BLOCK'); // the unlocked copies live here, in memory
  });
});

describe('vault: auto-lock', () => {
  it('locks a key left unused for the configured time, checked on access', async () => {
    await create();
    clock.advance(29 * 60_000);
    expect(await vault.status()).toMatchObject({ locked: false });
    await vault.use(); // use restarts the idle time
    clock.advance(29 * 60_000);
    expect(await vault.status()).toMatchObject({ locked: false });
    clock.advance(2 * 60_000);
    expect(await vault.status()).toMatchObject({ locked: true });
  });

  it('the alarm path wipes idle keys from session storage, and a shorter setting applies at once', async () => {
    const key = await create();
    expect((await vault.list())[0]!.autoLockAt).toBe(NOW.getTime() + 30 * 60_000);
    autoLock = 5;
    clock.advance(6 * 60_000);
    await vault.lockIdle();
    const session = (await fakeBrowser.storage.session.get('vault.unlocked'))['vault.unlocked'];
    expect(session).toEqual({});
    expect((await vault.list()).find((k) => k.fingerprint === key.fingerprint)?.unlocked).toBe(false);
  });
});

describe('vault: wrong-passphrase delays', () => {
  it('allows a few tries, then makes each further wrong passphrase wait longer, and resets on success', async () => {
    const key = await create();
    await vault.lock();
    for (let i = 0; i < FREE_FAILURES; i++) {
      await expect(vault.unlock(key.fingerprint, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    }
    // Now even the right passphrase has to wait.
    await expect(vault.unlock(key.fingerprint, PASS)).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: FIRST_DELAY_S },
    });
    clock.advance(FIRST_DELAY_S * 1000);
    await expect(vault.unlock(key.fingerprint, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(vault.unlock(key.fingerprint, PASS)).rejects.toMatchObject({
      details: { retryAfterSeconds: FIRST_DELAY_S * 2 },
    });
    clock.advance(FIRST_DELAY_S * 2 * 1000);
    await vault.unlock(key.fingerprint, PASS);
    await vault.lock();
    // Success reset the count: the free attempts are back.
    await expect(vault.unlock(key.fingerprint, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(vault.unlock(key.fingerprint, PASS)).resolves.toMatchObject({ unlocked: true });
  });

  it('keeps counting across a restart of the background (the count is on disk)', async () => {
    const key = await create();
    await vault.lock();
    for (let i = 0; i < FREE_FAILURES; i++) {
      await expect(vault.unlock(key.fingerprint, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    }
    vault = makeVault();
    await expect(vault.unlock(key.fingerprint, PASS)).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('vault: passphrase change', () => {
  it('re-locks the stored key: the old passphrase stops working, the new one works', async () => {
    const key = await create();
    await expect(vault.changePassphrase(key.fingerprint, 'wrong', 'new passphrase 2')).rejects.toMatchObject({
      code: 'forbidden',
    });
    await vault.changePassphrase(key.fingerprint, PASS, 'new passphrase 2');
    await vault.lock();
    await expect(vault.unlock(key.fingerprint, PASS)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(vault.unlock(key.fingerprint, 'new passphrase 2')).resolves.toMatchObject({
      unlocked: true,
    });
  });
});

describe('vault: import', () => {
  it.each([
    ['v4 Ed25519', 'gnupg-ed25519.sec', FIXTURE_FINGERPRINTS['gnupg-ed25519'], 'Ed25519'],
    ['RSA 3072', 'gnupg-rsa3072.sec', FIXTURE_FINGERPRINTS['gnupg-rsa3072'], 'RSA 3072'],
  ] as const)(
    'imports a locked %s key exported by GnuPG, armored and binary',
    async (_n, file, fpr, algorithm) => {
      const armored = readFixture(file);
      const [candidate] = await vault.inspectImport(armored);
      expect(candidate).toMatchObject({
        fingerprint: fpr,
        isPrivate: true,
        isLocked: true,
        alreadyInVault: false,
      });
      await expect(vault.import(armored)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(vault.import(armored, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
      const binary = (await unarmor(armored)).data as Uint8Array;
      const [key] = await vault.import(binary, FIXTURE_PASSPHRASE);
      expect(key).toMatchObject({ fingerprint: fpr, unlocked: true });
      expect(key!.algorithm).toBe(algorithm);
      // Stored re-locked with Keyward's Argon2id profile, under the key's own passphrase.
      const { text } = await vault.exportKey(fpr, { part: 'private' });
      const stored = await readPrivateKey({ armoredKey: text });
      expect(s2kOf(stored)).toMatchObject({ type: 'argon2' });
      await vault.lock();
      await expect(vault.unlock(fpr, FIXTURE_PASSPHRASE)).resolves.toMatchObject({ unlocked: true });
      expect((await vault.inspectImport(armored))[0]!.alreadyInVault).toBe(true);
    },
  );

  it('asks an unprotected private key for a new passphrase and stores it locked', async () => {
    const made = await generateKey({
      name: '',
      email: 'bare@example.org',
      passphrase: 'x',
      date: NOW,
      argon2: CHEAP_ARGON2,
    });
    const { unlockKey } = await import('../../shared/openpgp');
    const bare = await unlockKey(made.privateKeyArmored, 'x');
    await expect(vault.import(bare)).rejects.toThrow(/no passphrase: choose one/);
    const [key] = await vault.import(bare, undefined, 'a new passphrase');
    await vault.lock();
    await expect(vault.unlock(key!.fingerprint, 'a new passphrase')).resolves.toMatchObject({
      unlocked: true,
    });
  });

  it('refuses a public key: only private keys go into the vault', async () => {
    await expect(vault.import(readFixture('gnupg-ed25519.pub'))).rejects.toThrow(/is a public key/);
    expect(await vault.list()).toEqual([]);
  });

  it('refuses a file that is not a key', async () => {
    await expect(vault.inspectImport('not a key')).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('vault: export', () => {
  it('exports the public key without secret material', async () => {
    const key = await create();
    const { filename, text } = await vault.exportKey(key.fingerprint, { part: 'public' });
    expect(filename).toBe('keyward-alice@example.org-public.asc');
    const parsed = await readKey({ armoredKey: text });
    expect(parsed.isPrivate()).toBe(false);
    expect(parsed.getFingerprint().toUpperCase()).toBe(key.fingerprint);
  });

  it('exports the private key for GnuPG with an iterated+salted S2K, readable with the passphrase', async () => {
    const key = await create();
    await expect(
      vault.exportKey(key.fingerprint, { part: 'private-gnupg', passphrase: 'wrong' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const { text } = await vault.exportKey(key.fingerprint, { part: 'private-gnupg', passphrase: PASS });
    const parsed = await readPrivateKey({ armoredKey: text });
    expect(s2kOf(parsed)).toMatchObject({ type: 'iterated', usage: 254 });
  });
});

describe('vault: default and delete', () => {
  it('deletes a key with its session copy; another key becomes the default', async () => {
    const alice = await create();
    const [gnupg] = await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    await vault.setDefault(gnupg!.fingerprint);
    expect((await vault.status()).defaultKey?.fingerprint).toBe(gnupg!.fingerprint);
    await vault.delete(gnupg!.fingerprint);
    expect((await vault.status()).defaultKey?.fingerprint).toBe(alice.fingerprint);
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).not.toContain(gnupg!.fingerprint);
    await expect(vault.setDefault(gnupg!.fingerprint)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('vault: damaged storage', () => {
  it('reports damaged stored keys instead of losing or overwriting them', async () => {
    await create();
    await fakeBrowser.storage.local.set({ 'vault.keys': { keys: 'garbage' } });
    await expect(vault.list()).rejects.toMatchObject({ code: 'unavailable', message: /damaged/ });
    await expect(create()).rejects.toMatchObject({ code: 'unavailable' });
    // Still the damaged value: nothing was overwritten.
    expect((await fakeBrowser.storage.local.get('vault.keys'))['vault.keys']).toEqual({ keys: 'garbage' });
  });
});
