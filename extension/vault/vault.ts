import type { Clock } from '../../shared/clock';
import { KeywardError, invalidInput, isKeywardError } from '../../shared/errors';
import { publicKeyOf, splitKeys, summarizeKey, type UnlockedKey } from '../../shared/openpgp';
import type { ImportCandidate, StatusResponse, VaultKey } from '../messaging/protocol';
import { candidateOf, exportFilename, viewOf } from './key-view';
import type { GenerateRequest, KeyWork } from './key-work';
import { assertMayTry, withFailure, withSuccess } from './unlock-throttle';
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
 * check goes through the wrong-passphrase throttle. Mutations run one at a time, so two pages acting at once cannot
 * lose each other's writes.
 */
export function createVault({ records, keyWork, clock, autoLockMinutes }: VaultDeps) {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const now = () => clock.now().getTime();

  /** Drops unlocked keys idle longer than the setting; returns the ones still unlocked. */
  async function liveUnlocked() {
    const unlocked = await records.unlocked();
    const limit = (await autoLockMinutes()) * 60_000;
    const live = Object.fromEntries(Object.entries(unlocked).filter(([, u]) => now() - u.lastUsedAt < limit));
    if (Object.keys(live).length !== Object.keys(unlocked).length) await records.saveUnlocked(live);
    return live;
  }

  async function views(): Promise<VaultKey[]> {
    const [stored, unlocked, minutes] = [await records.keys(), await liveUnlocked(), await autoLockMinutes()];
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

  async function add(locked: string): Promise<string> {
    const summary = await summarizeKey(locked, { date: clock.now() });
    const stored = await records.keys();
    stored.keys[summary.fingerprint] = { locked, addedAt: now() };
    stored.defaultFingerprint ??= summary.fingerprint;
    await records.saveKeys(stored);
    return summary.fingerprint;
  }

  async function remember(fpr: string, key: UnlockedKey): Promise<void> {
    const unlocked = await liveUnlocked();
    await records.saveUnlocked({ ...unlocked, [fpr]: { key, lastUsedAt: now() } });
  }

  /** Runs a passphrase check under the throttle: failures counted, success resets. */
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
        const fpr = await add(locked);
        await remember(fpr, unlocked);
        return viewFor(fpr);
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

    import: (data: string | Uint8Array, passphrase?: string, newPassphrase?: string) =>
      serial(async () => {
        const keys = await splitKeys(data);
        const prepared: { locked: string; unlocked: UnlockedKey }[] = [];
        // Everything is checked and re-locked before anything is stored: a file is imported whole or not at all.
        for (const armored of keys) {
          const s = await summarizeKey(armored, { date: clock.now() });
          if (!s.isPrivate) {
            throw invalidInput(
              `${s.userIds[0] ?? s.fingerprint} is a public key. Only your own private keys go into Keyward's vault.`,
            );
          }
          if (s.isLocked) {
            if (passphrase === undefined)
              throw invalidInput('This key is locked: enter its passphrase to import it.');
            const unlocked = await checked(s.fingerprint, () => keyWork.unlock(armored, passphrase));
            prepared.push({ locked: await keyWork.lock(unlocked, passphrase), unlocked });
          } else {
            if (newPassphrase === undefined) {
              throw invalidInput('This key has no passphrase: choose one to protect it in Keyward.');
            }
            const unlocked = armored as UnlockedKey;
            prepared.push({ locked: await keyWork.lock(unlocked, newPassphrase), unlocked });
          }
        }
        // A key already in the vault is replaced by the imported copy (it may carry newer signatures or subkeys).
        const fingerprints: string[] = [];
        for (const p of prepared) {
          const fpr = await add(p.locked);
          await remember(fpr, p.unlocked);
          fingerprints.push(fpr);
        }
        const all = await views();
        return all.filter((v) => fingerprints.includes(v.fingerprint));
      }),

    unlock: (fingerprint: string | undefined, passphrase: string) =>
      serial(async () => {
        const { fpr, locked } = resolve(await records.keys(), fingerprint);
        await remember(fpr, await checked(fpr, () => keyWork.unlock(locked, passphrase)));
        return viewFor(fpr);
      }),

    lock: (fingerprint?: string) =>
      serial(async () => {
        if (fingerprint === undefined) return records.saveUnlocked({});
        const { [fingerprint]: _dropped, ...rest } = await records.unlocked();
        return records.saveUnlocked(rest);
      }),

    /** The alarm's job: lock keys idle past the setting even while no page asks anything. */
    lockIdle: () => serial(async () => void (await liveUnlocked())),

    changePassphrase: (fingerprint: string, oldPassphrase: string, newPassphrase: string) =>
      serial(async () => {
        const stored = await records.keys();
        const { fpr, locked } = resolve(stored, fingerprint);
        const unlocked = await checked(fpr, () => keyWork.unlock(locked, oldPassphrase));
        const relocked = await keyWork.lock(unlocked, newPassphrase);
        stored.keys[fpr] = { locked: relocked, addedAt: stored.keys[fpr]?.addedAt ?? now() };
        await records.saveKeys(stored);
        return viewFor(fpr);
      }),

    setDefault: (fingerprint: string) =>
      serial(async () => {
        const stored = await records.keys();
        stored.defaultFingerprint = resolve(stored, fingerprint).fpr;
        await records.saveKeys(stored);
      }),

    delete: (fingerprint: string) =>
      serial(async () => {
        const stored = await records.keys();
        const { fpr } = resolve(stored, fingerprint);
        delete stored.keys[fpr];
        if (stored.defaultFingerprint === fpr)
          stored.defaultFingerprint = Object.keys(stored.keys)[0] ?? null;
        await records.saveKeys(stored);
        const { [fpr]: _dropped, ...rest } = await records.unlocked();
        await records.saveUnlocked(rest);
        await records.saveAttempts(withSuccess(await records.attempts(), fpr));
      }),

    /** The armored file to save; never handed to a page (the background starts the download itself). */
    async exportKey(fingerprint: string, request: ExportPart): Promise<{ filename: string; text: string }> {
      const { fpr, locked } = resolve(await records.keys(), fingerprint);
      const view = await viewFor(fpr);
      const filename = exportFilename(view, request.part);
      if (request.part === 'public') return { filename, text: await publicKeyOf(locked) };
      if (request.part === 'private') return { filename, text: locked };
      const passphrase = request.passphrase;
      return { filename, text: await checked(fpr, () => keyWork.exportForGnuPG(locked, passphrase)) };
    },

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
     * auto-locked: KeywardError 'forbidden' with `details.locked`, so callers can ask the user to unlock.
     */
    async use(fingerprint?: string): Promise<{ fingerprint: string; key: UnlockedKey }> {
      const { fpr } = resolve(await records.keys(), fingerprint);
      const unlocked = await liveUnlocked();
      const entry = unlocked[fpr];
      if (!entry)
        throw new KeywardError('forbidden', 'Your key is locked. Unlock it to continue.', { locked: 1 });
      await records.saveUnlocked({ ...unlocked, [fpr]: { key: entry.key, lastUsedAt: now() } });
      return { fingerprint: fpr, key: entry.key };
    },
  };
}

export type Vault = ReturnType<typeof createVault>;
