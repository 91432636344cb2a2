import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { KeywardError } from '../shared/errors';
import type { KeyringStore } from './keyring-store';

/**
 * A keyring kept in a JSON file. Each save writes a new file beside it (owner-only, 0600), flushes it to disk and
 * renames it over the old one, so a crash leaves either the old keyring or the new one, never half of each: a
 * half-written keyring would lose pins, and a lost pin is a key that gets trusted again on first use.
 */
export function fileKeyring(path: string): KeyringStore {
  const file = resolve(path);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new KeywardError(
          'unavailable',
          `The keyring ${file} cannot be read: ${(error as Error).message}`,
          { reason: 'keyring_unreadable' },
          { cause: error },
        );
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return { damaged: file }; // fails the keyring's schema, which says what to do
      }
    },
    async save(keyring) {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const handle = await open(temporary, 'wx', 0o600);
        try {
          await handle.writeFile(`${JSON.stringify(keyring, null, 2)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw new KeywardError(
          'unavailable',
          `The keyring ${file} cannot be written: ${(error as Error).message}`,
          { reason: 'keyring_unwritable' },
          { cause: error },
        );
      }
    },
  };
}
