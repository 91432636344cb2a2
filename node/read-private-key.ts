import { isKeywardError, KeywardError } from '../shared/errors';
import { openPrivateKey, type KeyInput, type UnlockedKey } from '../shared/openpgp';

/**
 * An app's or a user's private key from a file's contents (armored or binary, Keyward's or GnuPG's export),
 * unlocked for signing or decrypting. A protected key needs `passphrase` (a string, or a function asked only when
 * the key is protected); a missing or wrong one is `forbidden`. Key stretching a file asks for is capped
 * (256 MiB Argon2 memory, bounded passes) so a hostile key file cannot exhaust the machine.
 */
export async function readPrivateKey(
  input: KeyInput,
  options: { passphrase?: string | (() => Promise<string>) } = {},
): Promise<UnlockedKey> {
  const { passphrase } = options;
  let asked = false;
  return openPrivateKey(input, async () => {
    asked = true;
    if (passphrase === undefined) {
      throw new KeywardError(
        'forbidden',
        'This private key is protected by a passphrase, and none was given.',
        {
          reason: 'passphrase_needed',
        },
      );
    }
    return typeof passphrase === 'string' ? passphrase : passphrase();
  }).catch((error: unknown) => {
    // unlockKey says `forbidden` only for a wrong passphrase; the reason lets callers tell it from other refusals.
    if (asked && isKeywardError(error, 'forbidden') && error.details.reason === undefined) {
      throw new KeywardError('forbidden', error.message, { reason: 'wrong_passphrase' }, { cause: error });
    }
    throw error;
  });
}
