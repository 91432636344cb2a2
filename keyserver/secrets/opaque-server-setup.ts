import * as opaque from '@serenity-kit/opaque';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPAQUE_SETUP_FILE = 'opaque-server-setup';

/**
 * The OPAQUE server setup (RFC 9807: the OPRF seed and the server's long-term key pair), as @serenity-kit/opaque
 * writes it: 171 base64url characters. Without it a stolen database gives nothing to check a passphrase guess
 * against, so it lives outside the database: OPAQUE_SERVER_SETUP when set (several processes must share it),
 * otherwise DATA_DIR/opaque-server-setup, created 0600 on first start. Never logged. Losing or changing it makes
 * every escrow login fail (the recovery code still opens the escrow).
 */
export async function loadOpaqueServerSetup(fromEnv: string | undefined, dataDir: string): Promise<string> {
  await opaque.ready;
  if (fromEnv !== undefined) return checked(fromEnv.trim(), 'OPAQUE_SERVER_SETUP');
  const path = join(dataDir, OPAQUE_SETUP_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return checked(existing, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': when two processes start at once, exactly one creates the file and both then read the same setup.
    writeFileSync(path, `${opaque.server.createSetup()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return checked(readFileSync(path, 'utf8').trim(), path);
}

function checked(setup: string, source: string): string {
  try {
    opaque.server.getPublicKey(setup);
    return setup;
  } catch {
    // The library's message may quote parts of the value: say only where it came from.
    throw new Error(
      `${source} does not hold an OPAQUE server setup (171 base64url characters, as made by ` +
        '`npx @serenity-kit/opaque create-server-setup`).',
    );
  }
}
