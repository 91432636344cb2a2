import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { publishKey } from '../../keyserver/test-support/vks-client';
import { decryptFile } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { formatGroupFile } from '../../shared/recipients/group-file';
import { makeTestKey, type TestKey } from '../../tests/fixtures/test-keys';
import { EXIT } from './exit-codes';

// The `keyward` command as users run it (node bin/keyward.js, a separate process) against a real keyserver.

const BIN = fileURLToPath(new URL('../../bin/keyward.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
let ks: TestKeyserver;

beforeAll(async () => {
  ks = await startTestKeyserver({
    RATE_UPLOADS_PER_HOUR: '1000',
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10',
    RATE_LOOKUPS_PER_MINUTE: '10000',
  });
});
afterAll(async () => {
  await ks?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the command (never spawnSync: the keyserver answers from this process). `detached` starts it in a new
 * session, without a controlling terminal, as in a cron job.
 */
function keyward(
  args: string[],
  options: { input?: Uint8Array; env?: Record<string, string>; keyring?: string; detached?: boolean } = {},
): Promise<Run> {
  const { BASE_URL: _vite, KEYWARD_PASSPHRASE: _none, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...inherited,
      KEYWARD_KEYRING: options.keyring ?? join(dir, 'keyring.json'),
      KEYWARD_KEYSERVER: ks.url,
      KEYWARD_SOURCES: 'keyserver',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached ?? true,
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? new Uint8Array(0));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr })),
  );
}

async function person(
  name: string,
  email: string,
): Promise<TestKey & { keyFile: string; publicFile: string }> {
  const key = await makeTestKey({ name, email, date: new Date(Date.now() - 60_000) });
  await publishKey(ks, key.publicKeyArmored, [email]);
  const keyFile = join(dir, `${email}.sec.asc`);
  const publicFile = join(dir, `${email}.pub.asc`);
  writeFileSync(keyFile, key.privateKeyArmored);
  writeFileSync(publicFile, key.publicKeyArmored);
  return { ...key, keyFile, publicFile };
}

const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const leftovers = () => readdirSync(dir).filter((n) => n.endsWith('.partial'));

describe('keyward: help and usage', () => {
  it.each(['lookup', 'encrypt', 'decrypt', 'verify', 'inspect', 'keys'])(
    '%s --help says how to use it',
    async (name) => {
      const run = await keyward([name, '--help']);
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout.toString()).toMatch(new RegExp(`^Usage: keyward ${name} `));
      expect(run.stdout.toString()).toContain('Exit codes:');
    },
  );

  it('without a command, or with an unknown one or option, exits 2 and says where to look', async () => {
    expect((await keyward([])).code).toBe(EXIT.usage);
    const unknown = await keyward(['encrypt', '--too', 'x@example.org']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/Unknown option '--too'[\s\S]*See: keyward encrypt --help/);
    const nobody = await keyward(['encrypt', file('a.txt', 'x')]);
    expect(nobody).toMatchObject({ code: EXIT.usage });
    expect(nobody.stderr).toContain('Say who to encrypt to with --to');
    expect((await keyward(['frobnicate'])).code).toBe(EXIT.usage);
  });
});

describe('keyward: encrypting by address', () => {
  it('looks an address up, pins it, encrypts a file that its owner decrypts, and decrypts it back', async () => {
    const ann = await person('Ann', 'ann@example.org');
    const lookup = await keyward(['lookup', 'ann@example.org']);
    expect(lookup.code).toBe(EXIT.ok);
    expect(lookup.stdout.toString()).toContain(`ann@example.org: ${ann.summary.fingerprint}\n`);
    expect(lookup.stdout.toString()).toContain('pinned now (first use)');
    expect((await keyward(['lookup', 'ann@example.org'])).stdout.toString()).toContain('pinned before');

    const plain = file('report.txt', 'quarterly numbers');
    const out = join(dir, 'report.txt.pgp');
    const encrypted = await keyward(['encrypt', '--to', 'ann@example.org', '-o', out, plain]);
    expect(encrypted).toMatchObject({ code: EXIT.ok });
    expect(encrypted.stderr).toContain('encrypted (SEIPDv2, AES-256-GCM) for:');
    const decrypted = await decryptFile({
      ciphertext: readFileSync(out),
      keys: [ann.unlocked],
      date: new Date(),
    });
    expect(new TextDecoder().decode(await readAllBytes(decrypted.plaintext))).toBe('quarterly numbers');
    expect(decrypted.filename).toBe('report.txt');

    const back = await keyward(['decrypt', '--key', ann.keyFile], {
      input: readFileSync(out),
      env: { KEYWARD_PASSPHRASE: ann.passphrase },
    });
    expect(back).toMatchObject({ code: EXIT.ok });
    expect(back.stdout.toString()).toBe('quarterly numbers');
    expect(back.stderr).toContain('file name inside: "report.txt"');
  });

  it('standard input to standard output, and a group file as a recipient', async () => {
    const [bo, cid] = [await person('Bo', 'bo@example.org'), await person('Cid', 'cid@example.org')];
    const group = file(
      'Crew.keyward-group.json',
      formatGroupFile({
        name: 'Crew',
        members: [
          { email: 'bo@example.org', fingerprint: bo.summary.fingerprint },
          { email: 'cid@example.org' },
        ],
      }).text,
    );
    const run = await keyward(['encrypt', '--to', group, '-q'], {
      input: new TextEncoder().encode('from stdin'),
    });
    expect(run).toMatchObject({ code: EXIT.ok, stderr: '' });
    for (const member of [bo, cid]) {
      const decrypted = await decryptFile({
        ciphertext: run.stdout,
        keys: [member.unlocked],
        date: new Date(),
      });
      expect(new TextDecoder().decode(await readAllBytes(decrypted.plaintext))).toBe('from stdin');
      expect(decrypted.filename).toBeFalsy();
    }
  });

  it('a keyserver substituting a key for a pinned address: exit 4, nothing written, until keys accept', async () => {
    await person('Dee', 'dee@example.org');
    const keyring = join(dir, 'dee-keyring.json');
    expect((await keyward(['lookup', 'dee@example.org'], { keyring })).code).toBe(EXIT.ok);
    const replacement = await person('Dee', 'dee@example.org');
    const out = join(dir, 'dee.pgp');
    const refused = await keyward(['encrypt', '--to', 'dee@example.org', '-o', out, file('d.txt', 'x')], {
      keyring,
    });
    expect(refused.code).toBe(EXIT.keyChanged);
    expect(refused.stderr).toContain('The key for dee@example.org has changed');
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
    const listed = (await keyward(['keys', 'list'], { keyring })).stdout.toString();
    expect(listed).toContain(`KEY CHANGE for dee@example.org`);
    expect(listed).toContain(`offered ${replacement.summary.fingerprint}`);

    const accepted = await keyward(['keys', 'accept', 'dee@example.org'], { keyring });
    expect(accepted.stdout.toString()).toBe(
      `dee@example.org: now pinned to ${replacement.summary.fingerprint}\n`,
    );
    expect(
      (await keyward(['encrypt', '--to', 'dee@example.org', '-o', out, file('d.txt', 'x')], { keyring }))
        .code,
    ).toBe(EXIT.ok);
  });

  it('a revoked key: exit 5; an address nobody published: exit 3; the keyserver down or a damaged keyring: exit 9', async () => {
    const eli = await person('Eli', 'eli@example.org');
    const keyring = join(dir, 'eli-keyring.json');
    await keyward(['lookup', 'eli@example.org'], { keyring });
    await fetch(`${ks.url}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: await revokeKey(eli.unlocked) }),
    });
    const revoked = await keyward(
      ['encrypt', '--to', 'eli@example.org', '-o', join(dir, 'e.pgp'), file('e.txt', 'x')],
      {
        keyring,
      },
    );
    expect(revoked.code).toBe(EXIT.keyUnusable);
    expect(revoked.stderr).toContain('is revoked');

    const nobody = await keyward(['lookup', 'nobody@example.org']);
    expect(nobody.code).toBe(EXIT.notFound);
    expect(nobody.stderr).toContain('Looked in: the Keyward keyserver: no key.');

    const down = await keyward(['lookup', 'nobody@example.org'], {
      env: { KEYWARD_KEYSERVER: 'http://127.0.0.1:9' },
    });
    expect(down.code).toBe(EXIT.unavailable);
    expect(down.stderr).toContain('No key source could be asked about nobody@example.org');

    const damaged = file('damaged.json', 'not json');
    expect((await keyward(['keys', 'list'], { keyring: damaged })).code).toBe(EXIT.unavailable);
  });
});

describe('keyward: decrypting and checking signatures', () => {
  let fay: Awaited<ReturnType<typeof person>>;
  let gil: Awaited<ReturnType<typeof person>>;
  let signed: Uint8Array;
  beforeAll(async () => {
    [fay, gil] = [await person('Fay', 'fay@example.org'), await person('Gil', 'gil@example.org')];
    const run = await keyward(['encrypt', '--to', 'fay@example.org', '--sign-with', gil.keyFile, '-q'], {
      input: new TextEncoder().encode('signed by Gil'),
      env: { KEYWARD_PASSPHRASE: gil.passphrase },
    });
    expect(run.code).toBe(EXIT.ok);
    signed = run.stdout;
  });

  it('verify names the signer; --signer with someone else is exit 7', async () => {
    const env = { KEYWARD_PASSPHRASE: fay.passphrase };
    const good = await keyward(['verify', '--key', fay.keyFile, '--signer', 'gil@example.org'], {
      input: signed,
      env,
    });
    expect(good.code).toBe(EXIT.ok);
    expect(good.stderr).toContain(`good signature by Gil <gil@example.org> ${gil.summary.fingerprint}`);
    const other = await keyward(['verify', '--key', fay.keyFile, '--signer', fay.publicFile], {
      input: signed,
      env,
    });
    expect(other.code).toBe(EXIT.badSignature);
    expect(other.stderr).toContain(`carries no valid signature by ${fay.publicFile}`);
  });

  it('an unsigned file fails verify (exit 7), and decrypt -o with --signer leaves no file', async () => {
    const unsigned = await keyward(['encrypt', '--to', 'fay@example.org', '-q'], {
      input: new Uint8Array([1, 2]),
    });
    const env = { KEYWARD_PASSPHRASE: fay.passphrase };
    expect((await keyward(['verify', '--key', fay.keyFile], { input: unsigned.stdout, env })).code).toBe(
      EXIT.badSignature,
    );
    const out = join(dir, 'unsigned.bin');
    const run = await keyward(['decrypt', '--key', fay.keyFile, '--signer', 'gil@example.org', '-o', out], {
      input: unsigned.stdout,
      env,
    });
    expect(run.code).toBe(EXIT.badSignature);
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('a tampered file: exit 6 and no output file, not even part of it', async () => {
    const big = await keyward(['encrypt', '--to', 'fay@example.org', '-q'], {
      input: new Uint8Array(3_000_000).fill(7),
    });
    const tampered = Uint8Array.from(big.stdout);
    tampered[tampered.length - 100_000]! ^= 1;
    const out = join(dir, 'tampered.bin');
    const run = await keyward(['decrypt', '--key', fay.keyFile, '-o', out], {
      input: tampered,
      env: { KEYWARD_PASSPHRASE: fay.passphrase },
    });
    expect(run.code).toBe(EXIT.decryptionFailed);
    expect(run.stderr).toContain('integrity check failed');
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it("someone else's file: exit 6; a wrong passphrase: exit 8; no passphrase and no terminal: exit 8, saying how", async () => {
    const notForGil = await keyward(['decrypt', '--key', gil.keyFile], {
      input: signed,
      env: { KEYWARD_PASSPHRASE: gil.passphrase },
    });
    expect(notForGil.code).toBe(EXIT.decryptionFailed);
    expect(notForGil.stderr).toContain('not encrypted for any of your keys');
    const wrong = await keyward(['decrypt', '--key', fay.keyFile], {
      input: signed,
      env: { KEYWARD_PASSPHRASE: 'no' },
    });
    expect(wrong).toMatchObject({ code: EXIT.passphrase });
    expect(wrong.stderr).toContain(`Wrong passphrase for ${fay.keyFile}.`);
    const none = await keyward(['decrypt', '--key', fay.keyFile], { input: signed, detached: true });
    expect(none.code).toBe(EXIT.passphrase);
    expect(none.stderr).toContain('Set KEYWARD_PASSPHRASE, or run keyward on a terminal');
  });

  it('inspect says who a file is for without any key; signer hidden inside the encryption', async () => {
    const run = await keyward(['inspect'], { input: signed });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.toString()).toContain(`Fay <fay@example.org> (key `);
    expect(run.stdout.toString()).toContain('signed by: not visible without decrypting');
    const json = JSON.parse((await keyward(['inspect', '--json'], { input: signed })).stdout.toString()) as {
      encryption: string;
      recipients: { fingerprint: string }[];
    };
    expect(json).toMatchObject({
      encryption: 'seipdv2',
      recipients: [{ fingerprint: fay.summary.fingerprint }],
    });
    expect((await keyward(['inspect'], { input: new TextEncoder().encode('plain text') })).code).toBe(
      EXIT.usage,
    );
  });
});

describe('keyward on a terminal (a pseudo-terminal made by util-linux script)', () => {
  /** Runs the command on a terminal; `typed` is typed once the output shows `after`. */
  function onTerminal(
    command: string[],
    typed?: { after: string; text: string },
    env: Record<string, string> = {},
  ) {
    const line = [process.execPath, BIN, ...command].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const { BASE_URL: _vite, KEYWARD_PASSPHRASE: _none, ...inherited } = process.env;
    const child = spawn('script', ['-qec', `${line}; echo "exit=$?"`, '/dev/null'], {
      env: { ...inherited, KEYWARD_KEYRING: join(dir, 'keyring.json'), KEYWARD_SOURCES: '', ...env },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      if (typed && output.includes(typed.after) && !child.stdin.writableEnded) child.stdin.end(typed.text);
    });
    if (!typed) child.stdin.end();
    return new Promise<string>((ok) => child.on('close', () => ok(output)));
  }

  it('asks for the passphrase on the terminal without echoing it, and takes it', async () => {
    const ivy = await person('Ivy', 'ivy@example.org');
    const encrypted = await keyward(['encrypt', '--to', 'ivy@example.org', '-q'], {
      input: new TextEncoder().encode('typed'),
    });
    const file = join(dir, 'ivy.pgp');
    writeFileSync(file, encrypted.stdout);
    const out = join(dir, 'ivy.txt');
    const output = await onTerminal(['decrypt', '--key', ivy.keyFile, '-o', out, file], {
      after: 'Passphrase for',
      text: `${ivy.passphrase}\r`,
    });
    expect(output).toContain(`Passphrase for ${ivy.keyFile}: `);
    expect(output).not.toContain(ivy.passphrase);
    expect(output).toContain('exit=0');
    expect(readFileSync(out, 'utf8')).toBe('typed');
  });

  it('shows progress for a large file, and refuses to write ciphertext onto the terminal', async () => {
    await person('Jay', 'jay@example.org');
    await keyward(['lookup', 'jay@example.org']);
    const big = file('big.bin', new Uint8Array(40 * 1024 * 1024));
    const output = await onTerminal([
      'encrypt',
      '--offline',
      '--to',
      'jay@example.org',
      '-o',
      join(dir, 'big.pgp'),
      big,
    ]);
    expect(output).toMatch(/Encrypting: 100% \(40 of 40 MiB\), \d+ MB\/s/);
    expect(output).toContain('exit=0');
    const toTerminal = await onTerminal(['encrypt', '--offline', '--to', 'jay@example.org', big]);
    expect(toTerminal).toContain('Standard output is a terminal');
    expect(toTerminal).toContain(`exit=${EXIT.usage}`);
  });
});
