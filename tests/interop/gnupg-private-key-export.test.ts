import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptFile, exportForGnuPG } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { makeTestKey, NOW, readFixture, type TestKey } from '../fixtures/test-keys';
import { createGnuPGHome, type GnuPGHome } from './gnupg';

let home: GnuPGHome;
let alice: TestKey;
beforeEach(async () => {
  home = await createGnuPGHome();
  alice = await makeTestKey();
});
afterEach(async () => {
  await home.dispose();
});

describe('a private key exported for GnuPG', () => {
  it('imports into GnuPG 2.2 with its passphrase, and GnuPG decrypts with it', async () => {
    const exported = await exportForGnuPG(alice.privateKeyArmored, alice.passphrase);
    await home.gpg(['--import'], { input: exported, passphrase: alice.passphrase });
    const secrets = (await home.gpg(['--with-colons', '--list-secret-keys'])).stdout.toString();
    expect(secrets).toContain(`fpr:::::::::${alice.summary.fingerprint}:`);
    expect(secrets).toMatch(/^ssb:/m);

    // A file GnuPG encrypts to the key, and one Keyward encrypts as SEIPDv1 (a GnuPG user among the recipients).
    const fromGnuPG = randomBytes(100_000);
    const { stdout: gnupgCiphertext } = await home.gpg(
      ['--trust-model', 'always', '--encrypt', '--recipient', alice.summary.fingerprint],
      { input: fromGnuPG },
    );
    const fromKeyward = randomBytes(100_000);
    const encrypted = await encryptFile({
      plaintext: fromKeyward,
      recipients: [alice.publicKeyArmored, readFixture('gnupg-rsa3072.pub')],
      date: NOW,
    });
    expect(encrypted.encryption).toBe('seipdv1');
    const keywardCiphertext = await readAllBytes(encrypted.ciphertext);

    // Drop the agent's passphrase cache from the import: the key must open with its passphrase, and only with it.
    await home.killAgent();
    const wrong = await home.gpg(['--decrypt'], {
      input: gnupgCiphertext,
      passphrase: 'wrong',
      allowFailure: true,
    });
    expect(wrong.code).not.toBe(0);
    expect(
      (await home.gpg(['--decrypt'], { input: gnupgCiphertext, passphrase: alice.passphrase })).stdout.equals(
        fromGnuPG,
      ),
    ).toBe(true);
    expect(
      (
        await home.gpg(['--decrypt'], { input: keywardCiphertext, passphrase: alice.passphrase })
      ).stdout.equals(fromKeyward),
    ).toBe(true);
  });

  it("opens a file made for GnuPG to Keyward's own key, and cannot open the default (SEIPDv2) one", async () => {
    // Keys Keyward makes advertise SEIPDv2, so by default files to them alone are SEIPDv2, which GnuPG 2.2 and 2.4
    // cannot read. "Files GnuPG can open" writes SEIPDv1 for the same key.
    const original = randomBytes(70_000);
    const forGnuPG = await encryptFile({
      plaintext: original,
      recipients: [alice.publicKeyArmored],
      date: NOW,
      forGnuPG: true,
    });
    expect(forGnuPG.encryption).toBe('seipdv1');
    const compatible = await readAllBytes(forGnuPG.ciphertext);
    const byDefault = await encryptFile({
      plaintext: original,
      recipients: [alice.publicKeyArmored],
      date: NOW,
    });
    expect(byDefault.encryption).toBe('seipdv2');
    const modern = await readAllBytes(byDefault.ciphertext);

    await home.gpg(['--import'], {
      input: await exportForGnuPG(alice.privateKeyArmored, alice.passphrase),
      passphrase: alice.passphrase,
    });
    const opened = await home.gpg(['--decrypt'], { input: compatible, passphrase: alice.passphrase });
    expect(opened.stdout.equals(original)).toBe(true);
    const refused = await home.gpg(['--decrypt'], {
      input: modern,
      passphrase: alice.passphrase,
      allowFailure: true,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout.length).toBe(0);
  });

  it('is needed: GnuPG 2.2 skips the Argon2/AEAD-locked key Keyward stores', async () => {
    const result = await home.gpg(['--import'], {
      input: alice.privateKeyArmored,
      passphrase: alice.passphrase,
      allowFailure: true,
    });
    expect(result.stderr).toMatch(/secret key with invalid cipher 253 - skipped/);
    const secrets = (
      await home.gpg(['--with-colons', '--list-secret-keys'], { allowFailure: true })
    ).stdout.toString();
    expect(secrets).not.toContain(alice.summary.fingerprint);
  });
});
