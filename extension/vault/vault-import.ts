import { KeywardError, invalidInput, isKeywardError } from '../../shared/errors';
import { mergePrivateKeys, splitKeys, summarizeKey, type UnlockedKey } from '../../shared/openpgp';
import type { KeyWork } from './key-work';

export interface ImportDeps {
  readonly keyWork: KeyWork;
  readonly date: Date;
  /** The locked copy already in the vault, if any. */
  readonly storedCopy: (fingerprint: string) => string | undefined;
  /** Runs a passphrase check against a key under the wrong-passphrase throttle. */
  readonly checked: <T>(fingerprint: string, attempt: () => Promise<T>) => Promise<T>;
}

export interface Passphrases {
  /** Opens the file's locked keys, and stays their passphrase in Keyward. */
  readonly passphrase?: string | undefined;
  /** Locks the file's unprotected keys. */
  readonly newPassphrase?: string | undefined;
}

export interface PreparedKey {
  readonly fingerprint: string;
  readonly locked: string;
  readonly unlocked: UnlockedKey;
}

/**
 * Checks and re-locks every key of a key file (armored or binary) before anything is stored, so a file is imported
 * whole or not at all. Only private keys: a public key in the vault could neither decrypt nor sign, and the user
 * would think it protected something. A locked key (GnuPG's iterated+salted S2K, or any other) is opened with its
 * passphrase and re-locked with Keyward's Argon2id profile under that same passphrase.
 *
 * A key already in the vault is merged, not duplicated or replaced: the stored copy keeps everything it has and
 * gains what the file adds (see mergePrivateKeys). The key keeps one passphrase, so the passphrase given for the
 * file must also open the stored copy; otherwise the import is refused and says so.
 */
export async function prepareImport(
  data: string | Uint8Array,
  { passphrase, newPassphrase }: Passphrases,
  deps: ImportDeps,
): Promise<PreparedKey[]> {
  const { keyWork, date, storedCopy, checked } = deps;
  const prepared: PreparedKey[] = [];
  for (const armored of await splitKeys(data)) {
    const s = await summarizeKey(armored, { date });
    const who = s.userIds[0] ?? s.fingerprint;
    if (!s.isPrivate) {
      throw invalidInput(`${who} is a public key. Only your own private keys go into Keyward's vault.`);
    }
    let unlocked: UnlockedKey;
    let keepWith: string;
    if (s.isLocked) {
      if (passphrase === undefined)
        throw invalidInput('This key is locked: enter its passphrase to import it.');
      unlocked = await checked(s.fingerprint, () => keyWork.unlock(armored, passphrase));
      keepWith = passphrase;
    } else {
      if (newPassphrase === undefined) {
        throw invalidInput('This key has no passphrase: choose one to protect it in Keyward.');
      }
      unlocked = armored as UnlockedKey;
      keepWith = newPassphrase;
    }
    const stored = storedCopy(s.fingerprint);
    if (stored !== undefined) {
      const current = await checked(s.fingerprint, () => keyWork.unlock(stored, keepWith)).catch(
        (error: unknown) => {
          if (!isKeywardError(error, 'forbidden')) throw error;
          throw new KeywardError(
            'forbidden',
            `${who} is already in Keyward with another passphrase. To update it from this file, use the ` +
              'passphrase it has in Keyward (change one of the two passphrases first so they match).',
          );
        },
      );
      unlocked = await mergePrivateKeys(current, unlocked, { date });
    }
    prepared.push({ fingerprint: s.fingerprint, locked: await keyWork.lock(unlocked, keepWith), unlocked });
  }
  return prepared;
}
