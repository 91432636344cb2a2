import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from './test-support/keyserver-process';
import { makeTestKey } from './test-support/test-keys';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
// What a clean checkout does not have: installed packages, build output, generated types, local data.
const NOT_IN_A_CHECKOUT = new Set([
  'node_modules',
  '.git',
  '.output',
  '.wxt',
  'data',
  'test-output',
  '.built',
]);

/**
 * A keyserver-only production install, as docs/deploy.md gives it: a copy of the checkout, `npm ci --omit=dev`
 * (no WXT, no test tools), and the keyserver and the admin CLI started from it. A runtime import of a dev
 * dependency, or an install script that needs one, fails here.
 *
 * better-sqlite3's install script fetches a prebuilt binary (and compiles SQLite, a minute of CPU, when it cannot).
 * This machine cannot reach GitHub, so a local server stands in for its download host, handing out the binary this
 * checkout's own install built; everything else is the real install from the npm registry and its cache.
 */
describe('a production install (npm ci --omit=dev)', { timeout: 180_000 }, () => {
  let copy: string;
  let dataDir: string;
  let prebuilds: Server;
  const requested: string[] = [];

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'keyward-prod-'));
    dataDir = mkdtempSync(join(tmpdir(), 'keyward-prod-data-'));
    cpSync(ROOT, copy, {
      recursive: true,
      filter: (path) =>
        !relative(ROOT, path)
          .split('/')
          .some((part) => NOT_IN_A_CHECKOUT.has(part)),
    });
    const tarball = join(copy, '.better-sqlite3-prebuild.tar.gz');
    await run('tar', [
      '-czf',
      tarball,
      '-C',
      join(ROOT, 'node_modules/better-sqlite3'),
      'build/Release/better_sqlite3.node',
    ]);
    prebuilds = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.setHeader('content-type', 'application/gzip');
      res.end(readFileSync(tarball));
    });
    await new Promise<void>((ok) => prebuilds.listen(0, '127.0.0.1', ok));
    const host = `http://127.0.0.1:${(prebuilds.address() as AddressInfo).port}`;

    // Only the environment a shell would have: nothing of the npm run (npm test) this test runs in, and no
    // node_modules/.bin of this checkout on the PATH (where this checkout's `wxt` would be found).
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    env.PATH = (env.PATH ?? '')
      .split(':')
      .filter((dir) => !dir.includes('node_modules'))
      .join(':');
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: copy,
      env: { ...env, npm_config_better_sqlite3_binary_host: host },
      timeout: 150_000,
    });
    rmSync(tarball);
    // prebuild-install caches each download under the URL's hash; this one (a local port) is never asked again.
    const cache = (await run('npm', ['config', 'get', 'cache'], { env })).stdout.trim();
    for (const path of requested) {
      const url = `${host}${path}`;
      const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
      const name = `${digest}-${basename(url).replace(/[^a-zA-Z0-9.]+/g, '-')}`;
      rmSync(join(cache, '_prebuilds', name), { force: true });
    }
  }, 180_000);

  afterAll(async () => {
    await new Promise((ok) => prebuilds?.close(ok));
    if (copy) rmSync(copy, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('installs without dev dependencies and without running WXT', () => {
    expect(requested).toHaveLength(1); // better-sqlite3's binary came from the stand-in download host
    expect(existsSync(join(copy, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(
      true,
    );
    expect(existsSync(join(copy, 'node_modules/tsx'))).toBe(true);
    for (const dev of ['wxt', 'vitest', 'smtp-server', 'typescript']) {
      expect(existsSync(join(copy, 'node_modules', dev)), dev).toBe(false);
    }
    expect(existsSync(join(copy, '.wxt'))).toBe(false);
  });

  it('starts the keyserver, which answers /healthz and takes an upload, and stops it cleanly', async () => {
    const server = await startKeyserverProcess({ DATA_DIR: dataDir }, { root: copy });
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const key = await makeTestKey([{ email: 'prod@example.org' }]);
      const up = await fetch(`${server.url}/vks/v1/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keytext: key.publicArmored }),
      });
      expect(up.status).toBe(200);
      expect((await fetch(`${server.url}/vks/v1/by-fingerprint/${key.fingerprint}`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('runs the admin CLI, and loads the MongoDB store it only imports when MONGODB_URI is set', async () => {
    const { BASE_URL: _vite, ...inherited } = process.env; // Vite's '/', not a keyserver setting
    const env = { ...inherited, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const admin = await run(process.execPath, ['--import', 'tsx', 'keyserver/admin/cli.ts', 'repurify'], {
      cwd: copy,
      env,
    });
    expect(admin.stdout).toMatch(/^Checked 1 keys/);
    const mongo = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "await import('./keyserver/store/mongo/mongo-store.ts'); console.log('loaded')",
      ],
      { cwd: copy, env },
    );
    expect(mongo.stdout.trim()).toBe('loaded');
  });
});
