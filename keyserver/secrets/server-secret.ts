import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'server-secret';

/**
 * The keyserver's own 32-byte secret (it authenticates upload tokens). Taken from KEYSERVER_SECRET (64 hex digits)
 * when set, which several processes on several machines must share; otherwise kept in DATA_DIR/server-secret,
 * created 0600 on first start so the embedded default needs no setup. Never logged, never in the database.
 */
export function loadServerSecret(fromEnv: string | undefined, dataDir: string): Uint8Array {
  if (fromEnv !== undefined) return Buffer.from(fromEnv, 'hex');
  const path = join(dataDir, FILE);
  try {
    const existing = readFileSync(path);
    if (existing.length !== 32)
      throw new Error(`${path} must hold exactly 32 bytes; delete it to make a new one.`);
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return existing;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': when two processes start at once, exactly one creates the file and both then read the same secret.
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readFileSync(path);
}
