import type { Clock } from '../../shared/clock';
import { KeywardError, isKeywardError } from '../../shared/errors';
import { publicKeyOf, splitKeys, summarizeKey, type UnlockedKey } from '../../shared/openpgp';
import { serialQueue } from '../../shared/serial-queue';
import type { ImportCandidate, StatusResponse, VaultKey } from '../model';
import { candidateOf, exportFilename, viewOf } from './key-view';
import type { GenerateRequest, KeyWork } from './key-work';
import { assertMayTry, withFailure, withSuccess } from './unlock-throttle';
import { createUnlockedSession } from './unlocked-session';
import { prepareImport } from './vault-import';
import type { StoredKeys, VaultRecords } from './vault-records';

export interface VaultDeps {
  readonly records: VaultRecords;
  readonly keyWork: KeyWork;
  readonly clock: Clock;
  /** The auto-lock setting, read at each use so a change applies at once. */
  readonly autoLockMinutes: () => Promise<number>;
}

export type ExportPart =
  { part: 'public' } | { part: 'private' } | { part: 'private-gnupg'; passphrase: string };

/**
 * The user's own keys. Locked keys on disk, unlocked ones in session memory with an idle lock; every passphrase
 * check goes through the wrong-passphrase throttle. Changes to the stored keys (and every passphrase check, so
 * parallel guesses cannot all pass the throttle before the first failure is counted) run one at a time, so two
 * pages acting at once cannot lose each other's writes.
 */
export function createVault({ records, keyWork, clock, autoLockMinutes }: VaultDeps) {
  const serial = serialQueue();
  const now = () => clock.now().getTime();
  const session = createUnlockedSession({ records, now, autoLockMinutes });

  async function views(): Promise<VaultKey[]> {
    const [stored, unlocked, minutes] = [await records.keys(), await session.live(), await autoLockMinutes()];
    return Promise.all(
      Object.entries(stored.keys).map(([fpr, k]) =>
        viewOf(k.locked, {
          isDefault: stored.defaultFingerprint === fpr,
          lastUsedAt: unlocked[fpr]?.lastUsedAt,
          autoLockMs: minutes * 60_000,
          now: now(),
        }),
      ),
    );
  }

  async function viewFor(fingerprint: string): Promise<VaultKey> {
    const found = (await views()).find((v) => v.fingerprint === fingerprint);
    if (!found) throw new KeywardError('not_found', 'That key is not in Keyward.');
    return found;
  }

  function resolve(stored: StoredKeys, fingerprint: string | undefined): { fpr: string; locked: string } {
    const fpr = fingerprint ?? stored.defaultFingerprint;
    const entry = fpr === null ? undefined : stored.keys[fpr];
    if (fpr === null || entry === undefined) {
      throw new KeywardError(
        'not_found',
        fingerprint ? 'That key is not in Keyward.' : 'Keyward has no key yet.',
      );
    }
    return { fpr, locked: entry.locked };
  }

  /** Stores a locked key (a new one, or a newer copy of one already there); the first key becomes the default. */
  async function store(fpr: string, locked: string): Promise<void> {
    const stored = await records.keys();
    stored.keys[fpr] = { locked, addedAt: stored.keys[fpr]?.addedAt ?? now() };
    stored.defaultFingerprint ??= fpr;
    await records.saveKeys(stored);
  }

  /** Runs a passphrase check under the throttle: failures counted, success resets. Call inside `serial`. */
  async function checked<T>(fpr: string, attempt: () => Promise<T>): Promise<T> {
    assertMayTry(await records.attempts(), fpr, now());
    try {
      const result = await attempt();
      await records.saveAttempts(withSuccess(await records.attempts(), fpr));
      return result;
    } catch (error) {
      if (isKeywardError(error, 'forbidden')) {
        await records.saveAttempts(withFailure(await records.attempts(), fpr, now()));
      }
      throw error;
    }
  }

  return {
    list: views,

    async status(): Promise<Pick<StatusResponse, 'keys' | 'locked' | 'defaultKey'>> {
      const all = await views();
      return {
        keys: all.length,
        locked: !all.some((v) => v.unlocked),
        defaultKey: all.find((v) => v.isDefault) ?? null,
      };
    },

    create: (request: Omit<GenerateRequest, 'date'>) =>
      serial(async () => {
        const { locked, unlocked } = await keyWork.generate({ ...request, date: now() });
        const { fingerprint } = await summarizeKey(locked, { date: clock.now() });
        await store(fingerprint, locked);
        await session.remember(fingerprint, unlocked);
        return viewFor(fingerprint);
      }),

    async inspectImport(data: string | Uint8Array): Promise<ImportCandidate[]> {
      const stored = await records.keys();
      const keys = await splitKeys(data);
      return Promise.all(
        keys.map(async (k) => {
          const s = await summarizeKey(k, { date: clock.now() });
          return candidateOf(s, s.fingerprint in stored.keys);
        }),
      );
    },

    /** Imports every private key of a file, each unlocked afterwards (see vault-import.ts for the rules). */
    import: (data: string | Uint8Array, passphrase?: string, newPassphrase?: string) =>
      serial(async () => {
        const stored = await records.keys();
        const prepared = await prepareImport(
          data,
          { passphrase, newPassphrase },
          {
            keyWork,
            date: clock.now(),
            storedCopy: (fpr) => stored.keys[fpr]?.locked,
            checked,
          },
        );
        for (const p of prepared) {
          await store(p.fingerprint, p.locked);
          await session.remember(p.fingerprint, p.unlocked);
        }
        const fingerprints = new Set(prepared.map((p) => p.fingerprint));
        return (await views()).filter((v) => fingerprints.has(v.fingerprint));
      }),

    unlock: (fingerprint: string | undefined, passphrase: string) =>
      serial(async () => {
        const { fpr, locked } = resolve(await records.keys(), fingerprint);
        await session.remember(fpr, await checked(fpr, () => keyWork.unlock(locked, passphrase)));
        return viewFor(fpr);
      }),

    /** Locks one key, or every key. Waits for a passphrase check in progress, which would otherwise unlock after. */
    lock: (fingerprint?: string) => serial(() => session.forget(fingerprint)),

    /** The alarm's job: lock keys idle past the setting even while no page asks anything. */
    lockIdle: async (): Promise<void> => void (await session.live()),

    /** Re-locks the stored copy under a new passphrase; whether the key is unlocked right now does not change. */
    changePassphrase: (fingerprint: string, oldPassphrase: string, newPassphrase: string) =>
      serial(async () => {
        const { fpr, locked } = resolve(await records.keys(), fingerprint);
        const unlocked = await checked(fpr, () => keyWork.unlock(locked, oldPassphrase));
        await store(fpr, await keyWork.lock(unlocked, newPassphrase));
        return viewFor(fpr);
      }),

    setDefault: (fingerprint: string) =>
      serial(async () => {
        const stored = await records.keys();
        stored.defaultFingerprint = resolve(stored, fingerprint).fpr;
        await records.saveKeys(stored);
      }),

    /** Removes the key, its unlocked copy and its throttle record; another key becomes the default. */
    delete: (fingerprint: string) =>
      serial(async () => {
        const stored = await records.keys();
        const { fpr } = resolve(stored, fingerprint);
        delete stored.keys[fpr];
        if (stored.defaultFingerprint === fpr) {
          stored.defaultFingerprint = Object.keys(stored.keys)[0] ?? null;
        }
        await records.saveKeys(stored);
        await session.forget(fpr);
        await records.saveAttempts(withSuccess(await records.attempts(), fpr));
      }),

    /** The armored file to save; never handed to a page (the background starts the download itself). */
    exportKey: (fingerprint: string, request: ExportPart): Promise<{ filename: string; text: string }> =>
      serial(async () => {
        const { fpr, locked } = resolve(await records.keys(), fingerprint);
        const filename = exportFilename(await viewFor(fpr), request.part);
        if (request.part === 'public') return { filename, text: await publicKeyOf(locked) };
        if (request.part === 'private') return { filename, text: locked };
        const { passphrase } = request;
        return { filename, text: await checked(fpr, () => keyWork.exportForGnuPG(locked, passphrase)) };
      }),

    /**
     * The key ids (primary and subkeys, upper-case hex) of every key in the vault, by fingerprint: how a file's
     * recipients are matched to the user's keys without unlocking anything.
     */
    async keyIds(): Promise<Record<string, readonly string[]>> {
      const stored = await records.keys();
      const entries = await Promise.all(
        Object.entries(stored.keys).map(async ([fpr, k]) => {
          const s = await summarizeKey(k.locked, { date: clock.now() });
          return [fpr, [s.keyId, ...s.subkeys.map((sub) => sub.keyId)]] as const;
        }),
      );
      return Object.fromEntries(entries);
    },

    /** The public key, armored (for publishing and as the default upload recipient). */
    async publicKey(fingerprint: string): Promise<string> {
      return publicKeyOf(resolve(await records.keys(), fingerprint).locked);
    },

    /**
     * An unlocked key for signing or decrypting, refreshing its idle timer. Never crosses to a page. Locked or
     * auto-locked: KeywardError 'forbidden' with reason `key_locked`, so callers can ask the user to unlock.
     */
    async use(fingerprint?: string): Promise<{ fingerprint: string; key: UnlockedKey }> {
      const { fpr } = resolve(await records.keys(), fingerprint);
      const key = await session.touch(fpr);
      if (key === undefined) {
        throw new KeywardError('forbidden', 'Your key is locked. Unlock it to continue.', {
          reason: 'key_locked',
        });
      }
      return { fingerprint: fpr, key };
    },
  };
}

export type Vault = ReturnType<typeof createVault>;
