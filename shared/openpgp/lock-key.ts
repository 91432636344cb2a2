import { decryptKey, encryptKey, type PartialConfig, type PrivateKey } from 'openpgp';
import { KeywardError, invalidInput } from '../errors';
import { fullConfig, profileWithArgon2, READ_CONFIG, type Argon2Params } from './profile';
import { parsePrivateKey, type KeyInput } from './read-keys';
import { assertAffordableUnlock } from './s2k-cost';

/**
 * An armored private key whose secret material is NOT protected. Only ever held in memory (or the browser's
 * session storage) while the user's session lasts; never written to disk or sent anywhere. The brand keeps a
 * locked key from being passed where an unlocked one is needed, and the reverse.
 */
export type UnlockedKey = string & { readonly __brand: 'UnlockedKey' };

/** Opens a locked private key. A wrong passphrase: `forbidden`; an unaffordable Argon2 cost: `too_large`. */
export async function unlockKey(lockedArmored: KeyInput, passphrase: string): Promise<UnlockedKey> {
  const key = await parsePrivateKey(lockedArmored);
  if (key.getKeys().every(({ keyPacket }) => keyPacket.isDecrypted() !== false)) {
    throw invalidInput('This private key has no passphrase protection; lock it before storing it.');
  }
  assertAffordableUnlock(key);
  let unlocked: PrivateKey;
  try {
    unlocked = await decryptKey({ privateKey: key, passphrase, config: READ_CONFIG });
  } catch (error) {
    throw unlockError(error);
  }
  return unlocked.armor(fullConfig(READ_CONFIG)) as UnlockedKey;
}

/**
 * A private key from a file someone gives (an app's own key, a key exported from GnuPG): a protected key is
 * unlocked with the passphrase, asked for only then (`passphrase` is not called for an unprotected key); an
 * unprotected one is taken as it is. A public key: `invalid_input`.
 */
export async function openPrivateKey(
  input: KeyInput,
  passphrase: () => Promise<string>,
): Promise<UnlockedKey> {
  const key = await parsePrivateKey(input);
  const packets = key.getKeys().map(({ keyPacket }) => keyPacket);
  if (packets.every((packet) => packet.isDecrypted() !== false)) {
    return key.armor(fullConfig(READ_CONFIG)) as UnlockedKey;
  }
  return unlockKey(input, await passphrase());
}

/**
 * Protects an unprotected private key with Keyward's profile: Argon2id S2K with AES-256-GCM (RFC 9580 §3.7.2.1,
 * S2K usage 253), which also binds the public key material so it cannot be swapped under the locked secret.
 */
export async function lockKey(
  unlocked: UnlockedKey,
  passphrase: string,
  options: { argon2?: Argon2Params } = {},
): Promise<string> {
  return lockWith(unlocked, passphrase, profileWithArgon2(options.argon2));
}

/** Re-locks under a new passphrase; the old one stops working for the returned key. */
export async function changePassphrase(
  lockedArmored: KeyInput,
  oldPassphrase: string,
  newPassphrase: string,
  options: { argon2?: Argon2Params } = {},
): Promise<string> {
  return lockKey(await unlockKey(lockedArmored, oldPassphrase), newPassphrase, options);
}

/** Internal: locks with any config (exportForGnuPG uses an S2K GnuPG knows). */
export async function lockWith(
  unlocked: UnlockedKey,
  passphrase: string,
  config: PartialConfig,
): Promise<string> {
  if (passphrase.length === 0) throw invalidInput('A passphrase is required to protect a private key.');
  const key = await parsePrivateKey(unlocked);
  if (key.getKeys().some(({ keyPacket }) => keyPacket.isDecrypted() === false)) {
    throw invalidInput('This private key is locked; unlock it first.');
  }
  let locked: PrivateKey;
  try {
    locked = await encryptKey({ privateKey: key, passphrase, config });
  } catch (error) {
    throw new KeywardError('invalid_input', 'The private key could not be locked.', {}, { cause: error });
  }
  return locked.armor(fullConfig(config));
}

function unlockError(error: unknown): KeywardError {
  const message = error instanceof Error ? error.message : '';
  const name = error instanceof Error ? error.name : '';
  // CFB-protected keys fail their SHA-1 check; AEAD-protected ones their tag, which Node reports in its own words
  // (browsers: "Incorrect key passphrase: Authentication tag mismatch"). Either way: the wrong passphrase.
  if (/Incorrect key passphrase|unable to authenticate data/i.test(message)) {
    return new KeywardError('forbidden', 'Wrong passphrase for this key.', {}, { cause: error });
  }
  if (name === 'Argon2OutOfMemoryError' || /Argon2/i.test(message)) {
    return new KeywardError(
      'too_large',
      "This key's passphrase protection needs more memory than this device can give.",
      {},
      { cause: error },
    );
  }
  return new KeywardError(
    'invalid_input',
    `The private key could not be unlocked: ${message}`,
    {},
    { cause: error },
  );
}
