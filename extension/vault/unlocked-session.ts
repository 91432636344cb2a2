import { serialQueue } from '../../shared/serial-queue';
import type { UnlockedKey } from '../../shared/openpgp';
import type { UnlockedKeys, VaultRecords } from './vault-records';

export interface UnlockedSessionDeps {
  readonly records: Pick<VaultRecords, 'unlocked' | 'saveUnlocked'>;
  readonly now: () => number;
  /** The auto-lock setting, read at each access so a shorter one applies at once. */
  readonly autoLockMinutes: () => Promise<number>;
}

/**
 * The unlocked keys of this browser session (storage.session) with the idle lock. Every read drops keys unused for
 * longer than the setting, so a key is never handed out past its time even if the alarm has not run yet.
 *
 * Every read-modify-write runs in one queue of its own (separate from the vault's, so a long Argon2 unlock does not
 * hold up an upload that only needs an already unlocked key). Without it, a `use` or an idle check that read the
 * keys just before "lock" could write them back just after, and a key the user locked would be unlocked again.
 */
export function createUnlockedSession({ records, now, autoLockMinutes }: UnlockedSessionDeps) {
  const serial = serialQueue();

  /** Applies `change` to the live (not idle) keys and stores the result if anything changed. */
  function update(change: (live: UnlockedKeys) => UnlockedKeys = (live) => live): Promise<UnlockedKeys> {
    return serial(async () => {
      const stored = await records.unlocked();
      const limit = (await autoLockMinutes()) * 60_000;
      const at = now();
      const live = Object.fromEntries(Object.entries(stored).filter(([, u]) => at - u.lastUsedAt < limit));
      const next = change(live);
      const pruned = Object.keys(live).length !== Object.keys(stored).length;
      if (pruned || next !== live) await records.saveUnlocked(next);
      return next;
    });
  }

  return {
    /** The keys still unlocked, idle ones dropped (and wiped from session storage). */
    live: () => update(),
    /** Keeps `key` unlocked, its idle time starting now. */
    remember: async (fingerprint: string, key: UnlockedKey): Promise<void> =>
      void (await update((live) => ({ ...live, [fingerprint]: { key, lastUsedAt: now() } }))),
    /** Locks one key, or every key. */
    forget: async (fingerprint?: string): Promise<void> =>
      void (await update((live) => {
        if (fingerprint === undefined) return {};
        const { [fingerprint]: _dropped, ...rest } = live;
        return rest;
      })),
    /** The unlocked key with its idle time restarted, or undefined while it is locked. */
    async touch(fingerprint: string): Promise<UnlockedKey | undefined> {
      let found: UnlockedKey | undefined;
      await update((live) => {
        found = live[fingerprint]?.key;
        return found === undefined ? live : { ...live, [fingerprint]: { key: found, lastUsedAt: now() } };
      });
      return found;
    },
  };
}

export type UnlockedSession = ReturnType<typeof createUnlockedSession>;
