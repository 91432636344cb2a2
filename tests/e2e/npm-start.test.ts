import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures/test-keys';

// `npm start` as a new user runs it (here with --no-build: the e2e set-up built the extension already): what it
// prints must be enough to load the extension, point it at the keyserver, and follow every mail the keyserver
// writes (the .eml may be encrypted to a key only the extension holds).
const root = resolve(import.meta.dirname, '../..');
let child: ChildProcess;
let output = '';
let dataDir: string;
let port: number;
const base = () => `http://127.0.0.1:${port}`;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Resolves once the output holds `text`; rejects with the output so far after 30 s. */
async function printed(text: string | RegExp): Promise<void> {
  const seen = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
  for (const start = Date.now(); !seen(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - start > 30_000) throw new Error(`npm start never printed ${String(text)}:\n${output}`);
  }
}

beforeAll(async () => {
  port = await freePort();
  dataDir = await mkdtemp(join(tmpdir(), 'keyward-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
  for (const name of ['BASE_URL', 'SMTP_URL', 'LOG_LEVEL', 'MONGODB_URI', 'DOTENV_CONFIG_QUIET'])
    delete env[name];
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--no-build'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await printed('Press Ctrl-C to stop.');
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints the keyserver address, the folder to load, and the setting to change for another port', () => {
    expect(output).toContain(`Keyserver:  ${base()}`);
    expect(output).toContain(`Extension:  ${join(root, '.output/chrome-mv3')}`);
    expect(output).toContain('Load unpacked');
    expect(output).toContain(
      `Set its Keyserver (Options) to ${base()}: its default is http://127.0.0.1:8080.`,
    );
    // Nothing buried: no dotenv banner, no JSON log lines.
    expect(output).not.toContain('injected env');
    expect(output).not.toMatch(/^\{"level"/m);
  });

  it('prints the verification link of a mail, which confirms the address', async () => {
    const upload = await fetch(`${base()}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: readFixture('gnupg-ed25519.pub') }),
    });
    expect(upload.status).toBe(200);
    const { token } = (await upload.json()) as { token: string };
    const ask = await fetch(`${base()}/vks/v1/request-verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, addresses: ['gnupg-ed25519@example.org'] }),
    });
    expect(ask.status).toBe(200);
    await printed('Mail to gnupg-ed25519@example.org');
    const link = new RegExp(`open:  (${base()}/verify/\\S+)`).exec(output)?.[1];
    expect(link, output).toBeDefined();
    // The link is real: it leads to the confirmation page for that address.
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('gnupg-ed25519@example.org');
  });

  it('prints the one-time code of a code mail', async () => {
    const ask = await fetch(`${base()}/escrow/v1/codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: 'new-user@example.org', purpose: 'register' }),
    });
    expect(ask.status).toBe(202);
    await printed(/Mail to new-user@example\.org: [^\n]+\n(?: {2}\w+: [^\n]*\n)*? {2}code: {2}\d{4} \d{4}/);
  });

  it('keeps the full log in the data folder', async () => {
    const log = await readFile(join(dataDir, 'keyserver.log'), 'utf8');
    expect(log).toContain('"msg":"mail written to outbox"');
  });
});
