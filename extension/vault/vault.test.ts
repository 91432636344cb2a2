import { decryptKey, readKey, readPrivateKey, unarmor } from 'openpgp';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { manualClock } from '../../shared/clock';
import { generateKey, lockKey, unlockKey, type UnlockedKey } from '../../shared/openpgp';
import {
  CHEAP_ARGON2,
  FIXTURE_FINGERPRINTS,
  FIXTURE_PASSPHRASE,
  NOW,
  readFixture,
} from '../../tests/fixtures/test-keys';
import { everyMinutes } from '../platform/alarms';
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
const binary = async (armored: string) => (await unarmor(armored)).data as Uint8Array;
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

/** A private key with no passphrase protection at all, as some tools export them. */
async function unprotectedKey(email: string): Promise<UnlockedKey> {
  const made = await generateKey({ name: '', email, passphrase: 'x', date: NOW, argon2: CHEAP_ARGON2 });
  return unlockKey(made.privateKeyArmored, 'x');
}

/** The same key with one more encryption subkey, as GnuPG's `addkey` would leave it. */
async function withExtraSubkey(unlocked: UnlockedKey): Promise<UnlockedKey> {
  const key = await readPrivateKey({ armoredKey: unlocked });
  return (await key.addSubkey({ type: 'ecc', curve: 'curve25519Legacy', date: NOW })).armor() as UnlockedKey;
}

/** Every armored private key block anywhere in a storage dump, whatever the record layout. */
function privateKeyBlocks(value: unknown): string[] {
  if (typeof value === 'string')
    return (
      value.match(/-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?-----END PGP PRIVATE KEY BLOCK-----/g) ?? []
    );
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(privateKeyBlocks);
  return [];
}

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
    await expect(vault.use()).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'key_locked' } });
    await expect(vault.unlock(undefined, 'wrong')).rejects.toMatchObject({ code: 'forbidden' });
    expect((await vault.unlock(key.fingerprint, PASS)).unlocked).toBe(true);
    expect((await vault.use()).fingerprint).toBe(key.fingerprint);
  });

  it('never writes unlocked secret material or a passphrase to storage.local (after create, import, unlock)', async () => {
    const key = await create();
    await vault.lock();
    await vault.unlock(key.fingerprint, PASS);
    await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    await vault.import(await binary(readFixture('gnupg-rsa3072.sec')), FIXTURE_PASSPHRASE);
    const bare = await unprotectedKey('bare@example.org');
    await vault.import(bare, undefined, 'bare key passphrase');
    await vault.changePassphrase(key.fingerprint, PASS, 'changed passphrase');

    // Everything in storage.local, whatever key it is under: every private key block in it is fully locked.
    const blocks = privateKeyBlocks(await fakeBrowser.storage.local.get(null));
    expect(blocks).toHaveLength(4);
    for (const block of blocks) {
      const parsed = await readPrivateKey({ armoredKey: block });
      expect(parsed.getKeys().every((k) => k.keyPacket.isDecrypted() === false)).toBe(true);
    }
    const disk = JSON.stringify(await fakeBrowser.storage.local.get(null));
    for (const secret of [PASS, FIXTURE_PASSPHRASE, 'bare key passphrase', 'changed passphrase', bare]) {
      expect(disk).not.toContain(secret);
    }
    // The unlocked copies live in storage.session (memory); passphrases are kept nowhere.
    const session = JSON.stringify(await fakeBrowser.storage.session.get(null));
    expect(session).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    for (const secret of [PASS, FIXTURE_PASSPHRASE, 'bare key passphrase', 'changed passphrase']) {
      expect(session).not.toContain(secret);
    }
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

  it('the one-minute alarm wipes idle keys while no page asks anything', async () => {
    let ran: Promise<void> = Promise.resolve();
    everyMinutes('keyward-auto-lock', 1, () => {
      ran = vault.lockIdle();
    });
    expect(await fakeBrowser.alarms.get('keyward-auto-lock')).toMatchObject({ periodInMinutes: 1 });
    await create();
    clock.advance(31 * 60_000);
    await fakeBrowser.alarms.onAlarm.trigger({
      name: 'keyward-auto-lock',
      scheduledTime: clock.now().getTime(),
    });
    await ran;
    expect((await fakeBrowser.storage.session.get('vault.unlocked'))['vault.unlocked']).toEqual({});
  });
});

describe('vault: locking races', () => {
  // The upload and decrypt paths call `use` at any moment; a lock in between must win.
  it('a key locked while an upload is using it stays locked', async () => {
    const key = await create();
    for (let n = 0; n < 12; n++) {
      await vault.unlock(key.fingerprint, PASS);
      const using = vault.use().catch(() => undefined);
      await ticks(n);
      await Promise.all([using, vault.lock()]);
      expect(await vault.status(), `lock after ${n} ticks`).toMatchObject({ locked: true });
    }
  });

  it('an idle check by a status read while the user locks does not unlock a key again', async () => {
    const alice = await create();
    const [other] = await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    for (let n = 0; n < 12; n++) {
      await vault.unlock(alice.fingerprint, PASS);
      clock.advance(20 * 60_000);
      await vault.unlock(other!.fingerprint, FIXTURE_PASSPHRASE);
      clock.advance(15 * 60_000); // alice is idle now, the other key is not: the check writes back the other
      const checking = vault.status(); // pages poll it (the unlock window does, every 300 ms)
      await ticks(n);
      await Promise.all([checking, vault.lock()]);
      expect(await vault.status(), `lock after ${n} ticks`).toMatchObject({ locked: true });
    }
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

  it.each([
    ['unlocking', (fpr: string, guess: string) => vault.unlock(fpr, guess)],
    [
      'the GnuPG export',
      (fpr: string, guess: string) => vault.exportKey(fpr, { part: 'private-gnupg', passphrase: guess }),
    ],
  ])('parallel passphrase guesses through %s cannot slip past the throttle', async (_path, guess) => {
    const key = await create();
    await vault.lock();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => guess(key.fingerprint, `guess ${i}`)),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes.filter((c) => c === 'forbidden')).toHaveLength(FREE_FAILURES);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(10 - FREE_FAILURES);
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
    // An unlocked key stays unlocked, a locked one stays locked: only the stored copy changes.
    await expect(vault.changePassphrase(key.fingerprint, PASS, 'new passphrase 2')).resolves.toMatchObject({
      unlocked: true,
    });
    await vault.lock();
    await expect(vault.changePassphrase(key.fingerprint, 'new passphrase 2', PASS)).resolves.toMatchObject({
      unlocked: false,
    });
    await vault.changePassphrase(key.fingerprint, PASS, 'new passphrase 2');
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
      const [key] = await vault.import(await binary(armored), FIXTURE_PASSPHRASE);
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
    const bare = await unprotectedKey('bare@example.org');
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

  it('merges a key that is already in the vault instead of adding a second copy', async () => {
    await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
    expect(await vault.list()).toHaveLength(1);
  });

  it('loses no subkey when an older backup of a key is imported over a newer copy', async () => {
    const bare = await unprotectedKey('grown@example.org');
    const grown = await withExtraSubkey(bare);
    const [key] = await vault.import(await lockKey(grown, PASS, { argon2: CHEAP_ARGON2 }), PASS);
    const subkeys = async () => (await vault.keyIds())[key!.fingerprint]!.length;
    expect(await subkeys()).toBe(3);
    await vault.import(await lockKey(bare, PASS, { argon2: CHEAP_ARGON2 }), PASS);
    expect(await subkeys()).toBe(3);
    // A copy under another passphrase is refused with what to do, and the stored key is untouched.
    await expect(vault.import(bare, undefined, 'another passphrase')).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/already in Keyward with another passphrase/) as unknown,
    });
    await vault.lock();
    await expect(vault.unlock(key!.fingerprint, PASS)).resolves.toMatchObject({ unlocked: true });
    expect(await vault.list()).toHaveLength(1);
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
    const { filename, text } = await vault.exportKey(key.fingerprint, {
      part: 'private-gnupg',
      passphrase: PASS,
    });
    expect(filename).toBe('keyward-alice@example.org-private-gnupg.asc');
    const parsed = await readPrivateKey({ armoredKey: text });
    expect(parsed.getKeys().map(s2kOf)).toEqual([
      { type: 'iterated', usage: 254 },
      { type: 'iterated', usage: 254 },
    ]);
    const opened = await decryptKey({ privateKey: parsed, passphrase: PASS });
    expect(opened.getKeys().every((k) => k.keyPacket.isDecrypted() === true)).toBe(true);
  });

  it('exports the private key locked with Keyward’s Argon2id profile, never unlocked', async () => {
    const key = await create();
    const { filename, text } = await vault.exportKey(key.fingerprint, { part: 'private' });
    expect(filename).toBe('keyward-alice@example.org-private.asc');
    const parsed = await readPrivateKey({ armoredKey: text });
    expect(parsed.getKeys().every((k) => k.keyPacket.isDecrypted() === false)).toBe(true);
    expect(parsed.getKeys().map(s2kOf)).toEqual([
      { type: 'argon2', usage: 253 },
      { type: 'argon2', usage: 253 },
    ]);
    await expect(decryptKey({ privateKey: parsed, passphrase: 'wrong' })).rejects.toThrow();
    await expect(decryptKey({ privateKey: parsed, passphrase: PASS })).resolves.toBeDefined();
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
