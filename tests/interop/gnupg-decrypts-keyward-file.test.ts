import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptFile, inspectMessage } from '../../shared/openpgp';
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

/**
 * A key made by GnuPG itself: GnuPG 2.2's default Ed25519/cv25519, without passphrase (a throw-away home), dated
 * before the tests' NOW so it is valid then.
 */
async function gnupgMadeKey(): Promise<{ fingerprint: string; publicKey: string }> {
  await home.gpg(
    ['--quick-generate-key', 'GnuPG User <gnupg-user@example.org>', 'future-default', 'default', 'never'],
    {
      passphrase: '',
      at: new Date('2025-01-01T00:00:00Z'),
    },
  );
  const fingerprint = await home.fingerprint('gnupg-user@example.org');
  const { stdout } = await home.gpg(['--armor', '--export', fingerprint]);
  return { fingerprint, publicKey: stdout.toString('utf8') };
}

describe('a file encrypted here for a GnuPG-made key', () => {
  it('is SEIPDv1 (GnuPG advertises no SEIPDv2) and GnuPG 2.2 decrypts it', async () => {
    const { publicKey } = await gnupgMadeKey();
    const plaintext = randomBytes(2_500_000);
    const encrypted = await encryptFile({
      plaintext,
      recipients: [publicKey],
      date: NOW,
      filename: 'scan.pdf',
    });
    expect(encrypted.encryption).toBe('seipdv1');
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    expect((await inspectMessage(ciphertext)).encryption).toBe('seipdv1');

    // GnuPG's own view of the packets: a v3 PKESK and a SEIPD packet with an MDC (= version 1).
    const packets = (
      await home.gpg(['--list-packets'], { input: ciphertext, passphrase: '' })
    ).stdout.toString();
    expect(packets).toMatch(/:pubkey enc packet: version 3/);
    expect(packets).toMatch(/:encrypted data packet:\s*\n\s*length: .*\n\s*mdc_method: 2/);

    const { stdout } = await home.gpg(['--decrypt'], { input: ciphertext, passphrase: '' });
    expect(stdout.equals(plaintext)).toBe(true);
  });

  it('is SEIPDv2 for Keyward keys, which GnuPG 2.2 cannot parse', async () => {
    const alice = await makeTestKey();
    const encrypted = await encryptFile({
      plaintext: randomBytes(1000),
      recipients: [alice.publicKeyArmored],
      date: NOW,
    });
    expect(encrypted.encryption).toBe('seipdv2');
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    expect(await inspectMessage(ciphertext)).toMatchObject({ encryption: 'seipdv2', aead: 'gcm' });

    const result = await home.gpg(['--list-packets'], { input: ciphertext, allowFailure: true });
    expect(result.stderr).toMatch(/encrypted_mdc packet with unknown version 2/);
  });
});
