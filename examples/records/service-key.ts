import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey, readPrivateKey, type UnlockedKey } from 'keyward/node';

export interface ServiceKey {
  readonly address: string;
  readonly publicKey: string;
  readonly unlocked: UnlockedKey;
}

/**
 * The service's own key: it signs every record (so a released record proves it is one the service made) and is
 * what a user shares a single record with ("release one file"). Made on first start, kept locked (Argon2id) in
 * DATA_DIR/service-key.asc, unlocked with SERVICE_KEY_PASSPHRASE. Publish its public key on the keyserver under
 * the service's address (main.ts --publish-key) so users can find it.
 */
export async function loadServiceKey(options: {
  dir: string;
  address: string;
  passphrase: string;
  date: Date;
}): Promise<ServiceKey> {
  const path = join(options.dir, 'service-key.asc');
  if (!existsSync(path)) {
    const made = await generateKey({
      name: 'Records service',
      email: options.address,
      passphrase: options.passphrase,
      date: options.date,
    });
    await writeFile(path, made.privateKeyArmored, { mode: 0o600, flag: 'wx' });
    await writeFile(join(options.dir, 'service-key.pub.asc'), made.publicKeyArmored);
  }
  const unlocked = await readPrivateKey(await readFile(path), { passphrase: options.passphrase });
  return {
    address: options.address,
    publicKey: await readFile(join(options.dir, 'service-key.pub.asc'), 'utf8'),
    unlocked,
  };
}
