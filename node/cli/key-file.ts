import { readFileSync, statSync } from 'node:fs';
import { isKeywardError } from '../../shared/errors';
import type { UnlockedKey } from '../../shared/openpgp';
import { readPrivateKey } from '../read-private-key';
import { CommandFailure, EXIT, UsageError } from './exit-codes';
import { passphraseFor } from './passphrase';

/** Key files are small; a large one is a mistake (a data file given as --key), not something to parse. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** Reads a file the user named, for keys and other small inputs; what goes wrong is a usage error. */
export function readSmallFile(path: string, what: string): Uint8Array {
  try {
    if (statSync(path).size > MAX_KEY_FILE_BYTES) throw new UsageError(`${path} is too large to be ${what}.`);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `Cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
    );
  }
}

/** A private key file, unlocked (its passphrase from KEYWARD_PASSPHRASE or the terminal, asked only if needed). */
export async function openKeyFile(path: string): Promise<UnlockedKey> {
  try {
    return await readPrivateKey(readSmallFile(path, 'a key file'), { passphrase: passphraseFor(path) });
  } catch (error) {
    if (!isKeywardError(error)) throw error;
    if (error.details.reason === 'wrong_passphrase') {
      throw new CommandFailure(EXIT.passphrase, `Wrong passphrase for ${path}.`);
    }
    if (error.code === 'invalid_input') throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}
