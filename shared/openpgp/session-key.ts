import { decryptSessionKeys, readMessage, type PrivateKey } from 'openpgp';
import { invalidInput } from '../errors';
import { decryptionError } from './decryption-error';
import type { UnlockedKey } from './lock-key';
import { READ_CONFIG } from './profile';
import { parsePrivateKey } from './read-keys';

/** A file's session key: the symmetric key its data is encrypted with (RFC 9580 §5.1). */
export interface SessionKey {
  readonly data: Uint8Array;
  /** Named by v3 key packets (SEIPDv1); null for v6 ones, where the data packet names it (SEIPDv2). */
  readonly algorithm: string | null;
}

/**
 * Decrypts the session key from a file's key packets (the bytes before its encrypted data packet) with any of
 * the keys; null when none of them is a recipient. For readers that decrypt the data themselves.
 */
export async function decryptSessionKey(options: {
  keyPackets: Uint8Array;
  keys: readonly UnlockedKey[];
  date: Date;
}): Promise<SessionKey | null> {
  const keys: PrivateKey[] = [];
  for (const input of options.keys) {
    const key = await parsePrivateKey(input);
    if (key.getKeys().some(({ keyPacket }) => keyPacket.isDecrypted() === false)) {
      throw invalidInput('The private key is locked; unlock it first.');
    }
    keys.push(key);
  }
  let message;
  try {
    message = await readMessage({ binaryMessage: options.keyPackets, config: READ_CONFIG });
  } catch (error) {
    throw decryptionError(error, 'start');
  }
  try {
    const [sessionKey] = await decryptSessionKeys({
      message,
      decryptionKeys: keys,
      date: options.date,
      config: READ_CONFIG,
    });
    return sessionKey ? { data: sessionKey.data, algorithm: sessionKey.algorithm ?? null } : null;
  } catch {
    return null; // no key packet opened with these keys
  }
}
