import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decryptFile, encryptFile, inspectMessage } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { makeTestKey, type TestKey } from '../fixtures/test-keys';
import { createGnuPGHome, type GnuPGHome } from './gnupg';

// Files the `keyward` command writes open with the extension's code (shared/openpgp/decrypt-file.ts) and with
// GnuPG 2.2 (for keys GnuPG made); files the extension's code and GnuPG write open with the command.

const BIN = fileURLToPath(new URL('../../bin/keyward.js', import.meta.url));
let dir: string;
let home: GnuPGHome;
let alice: TestKey;
let bob: TestKey;

beforeAll(async () => {
  // Made a minute ago: the command judges keys at the real time, the tests' NOW is in the past.
  const date = new Date(Date.now() - 60_000);
  alice = await makeTestKey({ name: 'Alice', email: 'alice@example.org', date });
  bob = await makeTestKey({ name: 'Bob', email: 'bob@example.org', date });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyward-interop-'));
  home = await createGnuPGHome();
  await writeFile(join(dir, 'alice.sec.asc'), alice.privateKeyArmored);
  await writeFile(join(dir, 'bob.sec.asc'), bob.privateKeyArmored);
  await writeFile(join(dir, 'bob.pub.asc'), bob.publicKeyArmored);
});
afterEach(async () => {
  await home.dispose();
  await rm(dir, { recursive: true, force: true });
});

function keyward(args: string[], options: { input?: Uint8Array; passphrase?: string } = {}) {
  const { BASE_URL: _vite, KEYWARD_PASSPHRASE: _none, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...env,
      KEYWARD_KEYRING: join(dir, 'keyring.json'),
      KEYWARD_SOURCES: '',
      ...(options.passphrase === undefined ? {} : { KEYWARD_PASSPHRASE: options.passphrase }),
    },
    detached: true,
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? new Uint8Array(0));
  return new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((ok) =>
    child.on('close', (code) => ok({ code, stdout: Buffer.concat(stdout), stderr })),
  );
}

/** A key GnuPG 2.2 makes by default (Ed25519 + cv25519, no SEIPDv2 feature), with a passphrase. */
async function gnupgKey(): Promise<{ fingerprint: string; publicFile: string; secretFile: string }> {
  await home.gpg(
    ['--quick-generate-key', 'Gnu User <gnu@example.org>', 'future-default', 'default', 'never'],
    {
      passphrase: 'gnu passphrase',
      at: new Date(Date.now() - 86_400_000),
    },
  );
  const fingerprint = await home.fingerprint('gnu@example.org');
  const publicFile = join(dir, 'gnu.pub.asc');
  const secretFile = join(dir, 'gnu.sec.asc');
  await writeFile(publicFile, (await home.gpg(['--armor', '--export', fingerprint])).stdout);
  const secret = await home.gpg(['--armor', '--export-secret-keys', fingerprint], {
    passphrase: 'gnu passphrase',
  });
  await writeFile(secretFile, secret.stdout);
  return { fingerprint, publicFile, secretFile };
}

describe('files from the keyward command', () => {
  it("open with the extension's decryptFile, signature included (SEIPDv2 for Keyward keys)", async () => {
    expect((await keyward(['keys', 'import', join(dir, 'bob.pub.asc')])).code).toBe(0);
    const plaintext = randomBytes(5_000_000);
    await writeFile(join(dir, 'scan.pdf'), plaintext);
    const run = await keyward(
      [
        'encrypt',
        '--offline',
        '--to',
        'bob@example.org',
        '--sign-with',
        join(dir, 'alice.sec.asc'),
        '-q',
        join(dir, 'scan.pdf'),
      ],
      { passphrase: alice.passphrase },
    );
    expect(run.code).toBe(0);
    expect(await inspectMessage(run.stdout)).toMatchObject({ encryption: 'seipdv2', aead: 'gcm' });
    const decrypted = await decryptFile({
      ciphertext: run.stdout,
      keys: [bob.unlocked],
      verificationKeys: [alice.publicKeyArmored],
      date: new Date(),
    });
    expect(Buffer.from(await readAllBytes(decrypted.plaintext)).equals(plaintext)).toBe(true);
    expect(decrypted.filename).toBe('scan.pdf');
    expect(await decrypted.signatures).toEqual([{ keyId: alice.summary.keyId, valid: true }]);
  });

  it('open with GnuPG 2.2 when encrypted to a GnuPG key (SEIPDv1), and GnuPG checks the signature', async () => {
    const gnu = await gnupgKey();
    await keyward(['keys', 'import', gnu.publicFile]);
    await home.gpg(['--import'], { input: alice.publicKeyArmored });
    const plaintext = randomBytes(3_000_000);
    await writeFile(join(dir, 'data.bin'), plaintext);
    const run = await keyward(
      [
        'encrypt',
        '--offline',
        '--to',
        'gnu@example.org',
        '--sign-with',
        join(dir, 'alice.sec.asc'),
        '-q',
        join(dir, 'data.bin'),
      ],
      { passphrase: alice.passphrase },
    );
    expect(run.code).toBe(0);
    expect((await inspectMessage(run.stdout)).encryption).toBe('seipdv1');
    const { stdout, stderr } = await home.gpg(['--trust-model', 'always', '--decrypt'], {
      input: run.stdout,
      passphrase: 'gnu passphrase',
    });
    expect(stdout.equals(plaintext)).toBe(true);
    expect(stderr).toContain('Good signature from "Alice <alice@example.org>"');
  });
});

describe('the keyward command opens', () => {
  it("files from the extension's encryptFile, and names their signer", async () => {
    await keyward(['keys', 'import', join(dir, 'bob.pub.asc')]);
    const plaintext = randomBytes(2_000_000);
    const encrypted = await encryptFile({
      plaintext,
      recipients: [alice.publicKeyArmored],
      signingKey: bob.unlocked,
      filename: 'upload.jpg',
      date: new Date(),
    });
    const output = join(dir, 'upload.jpg');
    const run = await keyward(['decrypt', '--key', join(dir, 'alice.sec.asc'), '-o', output], {
      input: await readAllBytes(encrypted.ciphertext),
      passphrase: alice.passphrase,
    });
    expect(run.code).toBe(0);
    expect((await readFile(output)).equals(plaintext)).toBe(true);
    expect(run.stderr).toContain('file name inside: "upload.jpg"');
    expect(run.stderr).toContain(`good signature by Bob <bob@example.org> ${bob.summary.fingerprint}`);
  });

  it("GnuPG's files with GnuPG's exported secret key (iterated and salted S2K)", async () => {
    const gnu = await gnupgKey();
    const plaintext = randomBytes(1_000_000);
    const { stdout: ciphertext } = await home.gpg(
      [
        '--trust-model',
        'always',
        '--encrypt',
        '--recipient',
        gnu.fingerprint,
        '--set-filename',
        'from-gpg.bin',
      ],
      { input: plaintext },
    );
    const run = await keyward(['decrypt', '--key', gnu.secretFile], {
      input: ciphertext,
      passphrase: 'gnu passphrase',
    });
    expect(run.code).toBe(0);
    expect(run.stdout.equals(plaintext)).toBe(true);
    expect(run.stderr).toContain('file name inside: "from-gpg.bin"');
  });
});
