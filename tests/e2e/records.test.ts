import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { linkIn, startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import { readPrivateKey } from '../../node';
import { decryptFile } from '../../shared/openpgp';
import { startThirdPartyApi } from '../../examples/records/third-party-api';
import { askBackgroundOk } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';

// The records example (examples/records) with the built extension in Chromium, one real keyserver process and the
// app's own main.ts: Alice creates and publishes her key from the extension, opts the app's site in, signs up on
// its page; the app encrypts her record to her address; she downloads it and Keyward decrypts it on her click; the
// app's data folder holds no byte of the record. Then she releases that one record to the app from the decrypt
// page (the app's download advertised where, and for which address): Keyward looks the service key up and shows
// it, makes a copy for it on her click, posts it on her click; the app reads that one record and no other.
const ALICE = 'alice@example.org';
const SERVICE = 'records@example.org';
const PASSPHRASE = 'teal walrus under nine bridges';
const SERVICE_PASSPHRASE = 'records service passphrase';
const MARKER = `kw-e2e-marker-${randomBytes(12).toString('hex')}`;

let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let keyserver: Awaited<ReturnType<typeof startKeyserverProcess>>;
let dataApi: Awaited<ReturnType<typeof startThirdPartyApi>>;
let keyserverDir: string;
let dataDir: string;
let downloads: string;
let app: { url: string; process: ChildProcess };
let alice: LaunchedExtension;
let serviceFingerprint: string;

function appEnv(): NodeJS.ProcessEnv {
  const { BASE_URL: _vite, ...env } = process.env;
  return {
    ...env,
    PORT: '0',
    DATA_DIR: dataDir,
    KEYSERVER_URL: keyserver.url,
    LOOKUP_SOURCES: 'keyserver',
    DATA_API_URL: dataApi.url,
    SERVICE_ADDRESS: SERVICE,
    SERVICE_KEY_PASSPHRASE: SERVICE_PASSPHRASE,
  };
}

function run(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: appEnv() });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((ok, fail) =>
    child.on('close', (code) =>
      code === 0 ? ok(out) : fail(new Error(`${args.join(' ')}: ${code}\n${out}`)),
    ),
  );
}

async function startApp(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('examples/records/main.ts')], {
    env: appEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the records app did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the records app exited with ${code}:\n${output}`)));
  });
  return { url, process: child };
}

async function confirmMail(email: string, before: number): Promise<void> {
  const link = linkIn(await mail.next(email, 10_000, before), '/verify/');
  expect((await fetch(link, { method: 'POST' })).status).toBe(200);
}

/** Every byte of every file in the app's data folder (the SQLite database, its journal, the service key). */
async function dataFolderHolds(needle: Buffer): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dataDir)) {
    if ((await readFile(join(dataDir, name))).includes(needle)) found.push(name);
  }
  return found;
}

/** The app's records table, read as its operator would (released_at is all a release leaves behind). */
function recordsTable(): { id: string; email: string; released_at: number | null }[] {
  const db = new Database(join(dataDir, 'records.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, email, released_at FROM records ORDER BY created_at').all() as {
      id: string;
      email: string;
      released_at: number | null;
    }[];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  keyserverDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-records-ks-'));
  dataDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-records-'));
  downloads = await mkdtemp(join(tmpdir(), 'keyward-e2e-records-dl-'));
  mail = await startMailCatcher();
  keyserver = await startKeyserverProcess({
    DATA_DIR: keyserverDir,
    SMTP_URL: mail.url,
    MAIL_ENCRYPT: 'never',
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '20',
  });
  let n = 0;
  dataApi = await startThirdPartyApi((email) => ({
    email,
    accounts: [
      { bank: `Bank of ${MARKER}`, balance: 1200.5 },
      { bank: 'Second bank', balance: -200.25 },
    ],
    notes: `secret notes ${MARKER}`,
    fetch: ++n, // tells Alice's two records apart
  }));
  app = await startApp();
  alice = await launchExtension({ downloadsDir: downloads });
}, 120_000);

afterAll(async () => {
  await alice?.close();
  app?.process.kill('SIGTERM');
  await keyserver?.stop();
  await dataApi?.close();
  await mail?.close();
  for (const dir of [keyserverDir, dataDir, downloads])
    if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the records example in Chromium: decrypt on download, then release one record to the service', () => {
  let first: string;
  let second: string;
  let decryptTab: Page;

  it('Alice creates and publishes her key from the extension; the service publishes its key', async () => {
    await askBackgroundOk(alice, 'settings.update', {
      keyserverUrl: keyserver.url,
      lookupOrder: ['keyserver'],
    });
    const { key } = (await askBackgroundOk(alice, 'vault.create', {
      name: 'Alice',
      email: ALICE,
      passphrase: PASSPHRASE,
    })) as { key: { fingerprint: string } };
    const before = mail.countTo(ALICE);
    await askBackgroundOk(alice, 'publish.key', { fingerprint: key.fingerprint });
    await confirmMail(ALICE, before);

    const serviceBefore = mail.countTo(SERVICE);
    const published = await run(['examples/records/main.ts', '--publish-key']);
    serviceFingerprint = /service key ([0-9A-F]{40,64}) uploaded/.exec(published)![1]!;
    await confirmMail(SERVICE, serviceBefore);
    await askBackgroundOk(alice, 'sites.setEnabled', { origin: app.url, enabled: true });
  }, 90_000);

  it("Alice signs up on the app's page: it stores her record encrypted to her published key", async () => {
    const page = await alice.context.newPage();
    await page.goto(app.url);
    await page.getByLabel('E-mail address').fill(ALICE);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Your record' }).waitFor({ timeout: 30_000 });
    first = new URL(page.url()).pathname.split('/').pop()!;
    await page.close();
    // A second record of hers, which she will never release.
    const signup = await fetch(`${app.url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ALICE }),
    });
    expect(signup.status).toBe(201);
    second = ((await signup.json()) as { id: string }).id;
    expect(recordsTable().map((r) => [r.id, r.email, r.released_at])).toEqual([
      [first, ALICE, null],
      [second, ALICE, null],
    ]);
  });

  it('she downloads it and Keyward decrypts it on her click; the app holds no byte of it', async () => {
    const page = await alice.context.newPage();
    await page.goto(`${app.url}/records/${first}`);
    const [tab] = await Promise.all([alice.context.waitForEvent('page'), page.click('#download')]);
    decryptTab = tab;
    await tab.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab.getByText('Saved record.json').waitFor({ timeout: 30_000 });
    await expect.poll(() => readdir(downloads), { timeout: 15_000 }).toContain('record.json');
    const record = JSON.parse(await readFile(join(downloads, 'record.json'), 'utf8')) as {
      recordId: string;
      data: { notes: string };
    };
    expect(record.recordId).toBe(first);
    expect(record.data.notes).toBe(`secret notes ${MARKER}`);
    await page.close();

    // The database and every other file the app keeps: not one copy of the data.
    expect(await dataFolderHolds(Buffer.from(MARKER))).toEqual([]);
    expect(await dataFolderHolds(Buffer.from('Second bank'))).toEqual([]);
    // The search can fail: the ciphertext the app stored is found there, byte for byte.
    const stored = Buffer.from(
      await (await fetch(`${app.url}/records/${first}/record.json.pgp`)).arrayBuffer(),
    );
    expect(await dataFolderHolds(stored)).toEqual(['records.sqlite']);
  });

  it('the decrypt page offers a release to the address the app named; nothing is sent before her clicks', async () => {
    const section = decryptTab.getByRole('region', { name: 'Release this file to a service' });
    await section.waitFor();
    const host = new URL(app.url).host;
    await section.getByText(`${host} offers to take this file, readable by ${SERVICE}`).waitFor();
    expect(await section.getByLabel("The service's address").inputValue()).toBe(SERVICE);
    expect(await section.getByRole('button', { name: /Send this file/ }).isVisible()).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(recordsTable().every((r) => r.released_at === null)).toBe(true);
  });

  it("she looks the service's key up: its address and fingerprint are shown", async () => {
    const section = decryptTab.getByRole('region', { name: 'Release this file to a service' });
    await section.getByRole('button', { name: "Look up the service's key" }).click();
    const who = section.locator('#release-who');
    await who.waitFor({ timeout: 20_000 });
    const grouped = serviceFingerprint.replace(/(.{4})(?=.)/g, '$1 ');
    expect(await who.textContent()).toContain(`Records service <${SERVICE}>, key ${grouped}`);
    expect(recordsTable().every((r) => r.released_at === null)).toBe(true);
  });

  it('she sends it: the app reads that one record (its answer is shown) and keeps nothing of it', async () => {
    const section = decryptTab.getByRole('region', { name: 'Release this file to a service' });
    const host = new URL(app.url).host;
    await section.getByRole('button', { name: `Send this file to ${host}` }).click();
    const status = section.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('accepted the file');
    const text = (await status.textContent())!;
    expect(text).toContain(`${host} accepted the file (HTTP 200)`);
    expect(text).toContain(`"recordId":"${first}"`);
    expect(text).toContain('"summary":{"accounts":2,"totalBalance":1000.25}');
    const table = recordsTable();
    expect(table.find((r) => r.id === first)!.released_at).toEqual(expect.any(Number));
    expect(table.find((r) => r.id === second)!.released_at).toBeNull();
    expect(await dataFolderHolds(Buffer.from(MARKER))).toEqual([]);
    // Keyward's pages and worker logged no error (the app's own pages have no favicon: a 404 there is theirs).
    expect(alice.errors().filter((e) => e.includes('chrome-extension://'))).toEqual([]);
  });

  it('the app cannot read her other record: not through /release, not with its own key', async () => {
    const other = Buffer.from(
      await (await fetch(`${app.url}/records/${second}/record.json.pgp`)).arrayBuffer(),
    );
    const refused = await fetch(`${app.url}/records/${second}/release`, { method: 'POST', body: other });
    expect(refused.status).toBe(403);
    const serviceKey = await readPrivateKey(await readFile(join(dataDir, 'service-key.asc')), {
      passphrase: SERVICE_PASSPHRASE,
    });
    await expect(
      decryptFile({ ciphertext: other, keys: [serviceKey], date: new Date() }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    // Nor the released record as the app stores it: only the copy Alice sent opens with the service key.
    const stored = Buffer.from(
      await (await fetch(`${app.url}/records/${first}/record.json.pgp`)).arrayBuffer(),
    );
    await expect(
      decryptFile({ ciphertext: stored, keys: [serviceKey], date: new Date() }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('attacks on the release, in Chromium (a hostile service on an opted-in site)', () => {
  let hostile: Server;
  let collector: Server;
  let hostileOrigin: string;
  let collectorOrigin: string;
  /** Every request body that reached the hostile site's release path or the other origin. */
  const posted: { where: string; body: Buffer }[] = [];
  let record: Buffer;

  const collect = (where: string) => (req: IncomingMessage, body: Buffer) =>
    posted.push({ where: `${where}${req.url ?? ''}`, body });

  beforeAll(async () => {
    const alices = recordsTable().find((r) => r.email === ALICE)!;
    record = Buffer.from(
      await (await fetch(`${app.url}/records/${alices.id}/record.json.pgp`)).arrayBuffer(),
    );
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        collect('collector')(req, Buffer.concat(chunks));
        res.writeHead(200).end('got it');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    collectorOrigin = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    hostile = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '';
        if (req.method === 'POST') {
          collect('hostile')(req, Buffer.concat(chunks));
          return void res.writeHead(200).end('thanks');
        }
        const file = (link: string) =>
          res
            .writeHead(200, {
              'content-type': 'application/octet-stream',
              'content-disposition': 'attachment; filename="record.json.pgp"',
              link,
            })
            .end(record);
        if (url === '/elsewhere.pgp')
          file(`<${collectorOrigin}/collect>; rel="keyward-release"; address="${SERVICE}"`);
        else if (url === '/valid.pgp') file(`</release>; rel="keyward-release"; address="${SERVICE}"`);
        else if (url === '/unpublished.pgp')
          file(`</release>; rel="keyward-release"; address="nobody@example.org"`);
        else if (url.startsWith('/page')) {
          // The page starts the download itself, at once, and then tries what a page can: it has no way to
          // reach Keyward's port or its decrypt page.
          res.writeHead(200, { 'content-type': 'text/html' })
            .end(`<a id="dl" href="/unpublished.pgp" download>x</a>
            <a id="other" href="/elsewhere.pgp" download>y</a>
            <a id="valid" href="/valid.pgp" download>z</a>
            <script>
              const which = new URLSearchParams(location.search).get('dl') ?? 'dl';
              document.getElementById(which).click();
              try { window.open('chrome-extension://${alice.extensionId}/decrypt.html#x'); } catch {}
              document.title = typeof chrome !== 'undefined' && chrome.runtime && chrome.runtime.connect
                ? 'runtime reachable' : 'no runtime';
            </script>`);
        } else res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    hostileOrigin = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    await askBackgroundOk(alice, 'sites.setEnabled', { origin: hostileOrigin, enabled: true });
  });

  afterAll(async () => {
    // Chromium keeps its connections open: close them, or close() waits for them to time out.
    for (const server of [hostile, collector]) {
      server?.closeAllConnections();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    }
  });

  /** The page starts the download; Alice decrypts it on her click; the decrypt tab's release section. */
  async function offered(which: 'dl' | 'other' | 'valid') {
    const page = await alice.context.newPage();
    const [tab] = await Promise.all([
      alice.context.waitForEvent('page', (p) => p.url().includes('decrypt.html')),
      page.goto(`${hostileOrigin}/page?dl=${which}`),
    ]);
    expect(await page.title()).toBe('no runtime');
    await tab.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab.getByText('Saved record.json').waitFor({ timeout: 30_000 });
    const section = tab.getByRole('region', { name: 'Release this file to a service' });
    await section.waitFor();
    return { page, tab, section };
  }

  it('a page trying to trigger a release: its download is only offered, and nothing is posted until Alice clicks', async () => {
    const { page, tab, section } = await offered('valid');
    // Keyward's own tab, and only the one the download opened: the page's window.open of the decrypt page failed.
    expect(alice.context.pages().filter((p) => p.url().includes('decrypt.html#x'))).toEqual([]);
    await section.getByText(`offers to take this file, readable by ${SERVICE}`).waitFor();
    await new Promise((r) => setTimeout(r, 2000));
    expect(posted).toEqual([]);
    // The control: Alice's own two clicks do send it (to this origin's release path, which the page named).
    await section.getByRole('button', { name: "Look up the service's key" }).click();
    await section.getByRole('button', { name: /Send this file to/ }).click();
    await expect.poll(() => posted.length, { timeout: 20_000 }).toBe(1);
    expect(posted[0]!.where).toBe('hostile/release');
    await section.getByText('accepted the file (HTTP 200): thanks').waitFor();
    posted.length = 0;
    await tab.close();
    await page.close();
  });

  it('an address whose key is not published and verified: the lookup says so, and there is nothing to send', async () => {
    const { page, tab, section } = await offered('dl');
    await section.getByRole('button', { name: "Look up the service's key" }).click();
    await section
      .getByRole('alert')
      .filter({ hasText: 'nobody@example.org has no verified, published key' })
      .waitFor({ timeout: 20_000 });
    expect(await section.getByRole('button', { name: /Send this file/ }).count()).toBe(0);
    expect(await section.locator('#release-found').isVisible()).toBe(false);
    expect(posted).toEqual([]);
    await tab.close();
    await page.close();
  });

  it('a release URL on another origin: refused and said so; the copy can only be saved, never sent there', async () => {
    const { page, tab, section } = await offered('other');
    await section.getByText('its release address is on another site').waitFor();
    // Nothing of a refused advert is used, not even its address: Alice types the service's herself.
    expect(await section.getByLabel("The service's address").inputValue()).toBe('');
    await section.getByLabel("The service's address").fill(SERVICE);
    await section.getByRole('button', { name: "Look up the service's key" }).click();
    await section.locator('#release-who').waitFor({ timeout: 20_000 });
    expect(await section.getByRole('button', { name: /Send this file/ }).isVisible()).toBe(false);
    await section.getByRole('button', { name: 'Make a copy to save' }).click();
    await section
      .getByRole('link', { name: /Save the copy of record.json.pgp for records@example.org/ })
      .waitFor({
        timeout: 20_000,
      });
    await new Promise((r) => setTimeout(r, 1000));
    expect(posted).toEqual([]);
    await tab.close();
    await page.close();
  });
});
