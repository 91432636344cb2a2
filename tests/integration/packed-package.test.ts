import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNode } from '../../scripts/build-node';
import { makeTestKey } from '../fixtures/test-keys';

// The package as npm users get it: the files package.json ships, with the bundle prepack builds, packed by npm,
// installed into an empty app (from npm's cache where it can; no install scripts: the command needs no native
// module), and run from there: `npx keyward` and `import ... from 'keyward/node'`.

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'keyward-packed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs into an app, where npx keyward and keyward/node both work', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      files: string[];
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepack).toContain('scripts/build-node.ts dist');
    // A copy of what `npm pack` would take from the checkout (no .git: an installed copy uses dist/).
    const stage = join(work, 'stage');
    for (const entry of [
      'package.json',
      'README.md',
      ...pkg.files.filter((f) => !f.startsWith('!') && f !== 'dist/'),
    ]) {
      cpSync(join(root, entry), join(stage, entry), { recursive: true });
    }
    await buildNode(join(stage, 'dist'));
    const { stdout: packed } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
      {
        cwd: stage,
      },
    );
    const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['bin/keyward.js', 'dist/keyward.js', 'dist/index.js', 'node/index.js']),
    );
    expect(
      paths.filter((p) => p.endsWith('.test.ts') || p.startsWith('extension/') || p.startsWith('keyserver/')),
    ).toEqual([]);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run(
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(work, filename)],
      {
        cwd: app,
      },
    );

    // Its postinstall (skipped above with every other install script) passes in an app, which has no WXT.
    const rebuilt = await run('npm', ['rebuild', 'keyward', '--foreground-scripts'], { cwd: app });
    expect(rebuilt.stdout).toContain('nothing to prepare');

    const { stdout: version } = await run('npx', ['--no-install', 'keyward', '--version'], { cwd: app });
    expect(version).toBe(
      `keyward ${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );

    const ann = await makeTestKey({
      name: 'Ann',
      email: 'ann@example.org',
      date: new Date(Date.now() - 60_000),
    });
    writeFileSync(join(app, 'ann.pub.asc'), ann.publicKeyArmored);
    writeFileSync(join(app, 'ann.sec.asc'), ann.privateKeyArmored);
    writeFileSync(
      join(app, 'app.js'),
      `import { createKeyward, fileKeyring, readPrivateKey, decrypt } from 'keyward/node';
import { readFileSync } from 'node:fs';
const keyward = createKeyward({ keyring: fileKeyring('keyring.json'), sources: [] });
const encrypted = await keyward.encrypt({ to: ['ann@example.org'], plaintext: new TextEncoder().encode('from the app') });
const key = await readPrivateKey(readFileSync('ann.sec.asc'), { passphrase: process.env.PASS });
const decrypted = await decrypt({ ciphertext: encrypted.ciphertext, keys: key });
console.log(await new Response(decrypted.plaintext).text());
`,
    );
    const env = { ...process.env, KEYWARD_KEYRING: join(app, 'keyring.json'), KEYWARD_SOURCES: '' };
    await run('npx', ['--no-install', 'keyward', 'keys', 'import', 'ann.pub.asc'], { cwd: app, env });
    const { stdout } = await run(process.execPath, ['app.js'], {
      cwd: app,
      env: { ...env, PASS: ann.passphrase },
    });
    expect(stdout).toBe('from the app\n');
  }, 180_000);
});
