import type { ImportCandidate } from '../../model';
import { keyTypeText } from '../format';

/** What the import form asks for, once it knows what a key file holds. */
export interface ImportPlan {
  /** The vault takes a file whole: every key in it must be a private key. */
  readonly importable: boolean;
  /** Some keys are passphrase-protected: ask for that passphrase (they keep it). */
  readonly askPassphrase: boolean;
  /** Some keys have no passphrase: ask for a new one to lock them with in Keyward. */
  readonly askNewPassphrase: boolean;
  /**
   * Those unprotected keys are all in Keyward already: the "new" passphrase is the one they have there (a key keeps
   * one passphrase), so it is asked for once and not rated.
   */
  readonly newIsKeywards: boolean;
  /** What the user should know before importing (or why they cannot); empty if nothing. */
  readonly note: string;
}

export function importPlan(candidates: readonly ImportCandidate[]): ImportPlan {
  const none = { importable: false, askPassphrase: false, askNewPassphrase: false, newIsKeywards: false };
  if (candidates.length === 0) return { ...none, note: 'This file holds no OpenPGP key.' };
  if (candidates.some((k) => !k.isPrivate)) {
    return {
      ...none,
      note:
        'Only private keys go here: your own key, with its secret part. This file holds a public key, which ' +
        'is what others use to encrypt to its owner. If it is your key, export it from your other program ' +
        'with its private part (in GnuPG: gpg --export-secret-keys --armor you@example.org).',
    };
  }
  const unprotected = candidates.filter((k) => !k.isLocked);
  const known = candidates.filter((k) => k.alreadyInVault).length;
  return {
    importable: true,
    askPassphrase: candidates.some((k) => k.isLocked),
    askNewPassphrase: unprotected.length > 0,
    newIsKeywards: unprotected.length > 0 && unprotected.every((k) => k.alreadyInVault),
    note:
      known === 0
        ? ''
        : `${known === 1 && candidates.length === 1 ? 'Keyward already has this key' : 'Keyward already has some of these keys'}. ` +
          'Importing adds what the file has that Keyward’s copy lacks (user ids, subkeys, signatures); nothing is ' +
          'lost. Use the passphrase the key has in Keyward.',
  };
}

/** The facts shown under each key of the file. */
export function candidateFacts(k: ImportCandidate): string[] {
  const kind = !k.isPrivate
    ? 'Public key only'
    : k.isLocked
      ? 'Private key, protected by a passphrase'
      : 'Private key without a passphrase';
  return [kind, keyTypeText(k), ...(k.alreadyInVault ? ['Already in Keyward'] : [])];
}
