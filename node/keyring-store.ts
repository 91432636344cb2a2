import { z } from 'zod';
import { KeywardError } from '../shared/errors';
import { LOOKUP_SOURCES } from '../shared/recipients/key-lookup';
import { emptyKeyring, type PinnedKeyring } from '../shared/recipients/pinned-keyring';

/** Where a pinned key came from: a lookup source, or a key file imported by hand. */
export type KeySource = (typeof LOOKUP_SOURCES)[number] | 'file';

/** The keyring as JSON: the app stores it as it likes (a file, a database row) and gives it back unchanged. */
export type KeyringData = { type: 'keyward-keyring'; version: 1 } & PinnedKeyring<KeySource>;

/**
 * Where an app keeps its pinned keyring. `load` returns what `save` was last given (parsed JSON or the object
 * itself), or undefined when nothing was saved yet; the client checks its shape before use. Writes come one at a
 * time from one client; an app running several processes on one keyring must serialise them itself (a database
 * transaction around load and save), or the later write wins.
 */
export interface KeyringStore {
  load(): Promise<unknown>;
  save(keyring: KeyringData): Promise<void>;
}

const sourceSchema = z.enum([...LOOKUP_SOURCES, 'file']);
const keyringSchema = z.object({
  type: z.literal('keyward-keyring'),
  version: z.literal(1),
  keys: z.record(
    z.string(),
    z.object({
      armored: z.string(),
      source: sourceSchema,
      addedAt: z.number(),
      refreshedAt: z.number(),
      verified: z.boolean(),
    }),
  ),
  pins: z.record(z.string(), z.object({ fingerprint: z.string(), dismissed: z.array(z.string()) })),
  changes: z.record(z.string(), z.object({ armored: z.string(), source: sourceSchema, seenAt: z.number() })),
});

export function emptyKeyringData(): KeyringData {
  return { type: 'keyward-keyring', version: 1, ...emptyKeyring<KeySource>() };
}

/** Parses what a store loaded; a damaged keyring is never treated as empty (that would re-pin every address). */
export function parseKeyringData(raw: unknown, where: string): KeyringData {
  if (raw === undefined || raw === null) return emptyKeyringData();
  const parsed = keyringSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KeywardError(
      'unavailable',
      `The keyring ${where} is damaged or not a Keyward keyring, so no key from it is used. Restore it from a ` +
        'backup, or move it away to start a new one (every address is then pinned again on first use).',
      { reason: 'keyring_damaged' },
    );
  }
  return parsed.data;
}

/** A keyring in memory only: for tests and short-lived scripts (everything pinned is forgotten at exit). */
export function memoryKeyring(initial?: KeyringData): KeyringStore {
  let saved: string | undefined = initial === undefined ? undefined : JSON.stringify(initial);
  return {
    load: () => Promise.resolve(saved === undefined ? undefined : (JSON.parse(saved) as unknown)),
    save: (keyring) => {
      saved = JSON.stringify(keyring);
      return Promise.resolve();
    },
  };
}
