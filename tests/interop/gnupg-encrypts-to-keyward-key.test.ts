import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptFile, inspectMessage } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { makeTestKey, NOW } from '../fixtures/test-keys';
import { createGnuPGHome, type GnuPGHome } from './gnupg';

let home: GnuPGHome;
beforeEach(async () => {
  home = await createGnuPGHome();
});
afterEach(async () => {
  await home.dispose();
});

describe('GnuPG 2.2 and a Keyward v4 key', () => {
  it('imports the public key, sees Ed25519 + cv25519, encrypts a file to it, and the file decrypts here', async () => {
    const alice = await makeTestKey();
    await home.gpg(['--import'], { input: alice.publicKeyArmored });

    const listing = (
      await home.gpg(['--with-colons', '--list-keys', alice.summary.fingerprint])
    ).stdout.toString();
    expect(listing).toMatch(/^pub:[^:]*:255:22:.*:ed25519:/m); // EdDSA (legacy id 22), 255 bits
    expect(listing).toMatch(/^sub:[^:]*:255:18:.*:cv25519:/m); // ECDH over Curve25519
    expect(listing).toContain(`fpr:::::::::${alice.summary.fingerprint}:`);

    const plaintext = randomBytes(300_000);
    const { stdout: ciphertext } = await home.gpg(
      [
        '--trust-model',
        'always',
        '--encrypt',
        '--recipient',
        alice.summary.fingerprint,
        '--set-filename',
        'photo.jpg',
      ],
      { input: plaintext },
    );
    // GnuPG 2.2 writes SEIPDv1 (it ignores the SEIPDv2 feature bit) to the encryption subkey.
    expect(await inspectMessage(ciphertext)).toMatchObject({
      encryption: 'seipdv1',
      recipients: [{ keyId: alice.summary.subkeys[0]!.keyId }],
    });

    const decrypted = await decryptFile({ ciphertext, keys: [alice.unlocked], date: NOW });
    expect(Buffer.from(await readAllBytes(decrypted.plaintext)).equals(plaintext)).toBe(true);
    expect(decrypted.filename).toBe('photo.jpg');
  });

  it('cannot read an RFC 9580 v6 key at all, which is why v4 is the default', async () => {
    const bob = await makeTestKey({ version: 6, name: 'Bob', email: 'bob@example.org' });
    const result = await home.gpg(['--import'], { input: bob.publicKeyArmored, allowFailure: true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown version 6/);
  });
});
