import { z } from 'zod';
import { KeywardError } from '../../shared/errors';
import { Fingerprint } from '../../shared/identity';
import type { UnlockedKey } from '../../shared/openpgp';
import type { StorageArea } from '../platform/storage';

/**
 * What the vault keeps where. storage.local (disk): only locked private keys and public facts. storage.session
 * (memory, gone when the browser restarts): the unlocked keys, with when each was last used for the idle lock.
 * Stored data is parsed like any other input: a damaged store is reported, never half-read or overwritten.
 */
const KEYS = 'vault.keys';
const ATTEMPTS = 'vault.attempts';
const UNLOCKED = 'vault.unlocked';

/** Stored in the one canonical form only (shared/identity/fingerprint.ts): anything else is a damaged store. */
const fingerprint = z.custom<string>(
  (v) => typeof v === 'string' && Fingerprint.tryParse(v) === v,
  'a fingerprint in canonical form',
);
const lockedArmor = z.string().startsWith('-----BEGIN PGP PRIVATE KEY BLOCK-----');

const keysSchema = z.object({
  keys: z.record(fingerprint, z.object({ locked: lockedArmor, addedAt: z.number() })),
  defaultFingerprint: fingerprint.nullable(),
});
export type StoredKeys = z.infer<typeof keysSchema>;

const attemptsSchema = z.record(fingerprint, z.object({ failures: z.number().int(), notBefore: z.number() }));
export type Attempts = z.infer<typeof attemptsSchema>;

const unlockedSchema = z.record(fingerprint, z.object({ key: z.string(), lastUsedAt: z.number() }));
export type UnlockedKeys = Record<string, { key: UnlockedKey; lastUsedAt: number }>;

export interface VaultRecords {
  keys(): Promise<StoredKeys>;
  saveKeys(keys: StoredKeys): Promise<void>;
  attempts(): Promise<Attempts>;
  saveAttempts(attempts: Attempts): Promise<void>;
  unlocked(): Promise<UnlockedKeys>;
  saveUnlocked(unlocked: UnlockedKeys): Promise<void>;
}

export function createVaultRecords(local: StorageArea, session: StorageArea): VaultRecords {
  return {
    keys: async () =>
      parse(keysSchema, await local.get(KEYS), { keys: {}, defaultFingerprint: null }, 'keys'),
    saveKeys: (keys) => local.set({ [KEYS]: keys }),
    attempts: async () => parse(attemptsSchema, await local.get(ATTEMPTS), {}, 'passphrase attempts'),
    saveAttempts: (attempts) => local.set({ [ATTEMPTS]: attempts }),
    // Session data is Keyward's own and short-lived: if it is damaged, locking everything is the safe answer.
    unlocked: async () => {
      const parsed = unlockedSchema.safeParse((await session.get(UNLOCKED)) ?? {});
      return parsed.success ? (parsed.data as UnlockedKeys) : {};
    },
    saveUnlocked: (unlocked) => session.set({ [UNLOCKED]: unlocked }),
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, empty: T, what: string): T {
  if (value === undefined) return empty;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new KeywardError(
      'unavailable',
      `Keyward's stored ${what} are damaged and were left untouched. Export what you can from a backup, or ` +
        'reinstall Keyward; nothing was deleted.',
    );
  }
  return parsed.data;
}
