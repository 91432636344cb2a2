import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { linkIn, startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import { makeTestKey, revokeKey, type TestKey } from '../../keyserver/test-support/test-keys';
import { askBackgroundOk } from './harness/ask-background';
import { keywardNoticeText } from './harness/keyward-notice';
import { pickFiles } from './harness/pick-files';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { fileParts } from './harness/multipart';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Teams in two real browsers (two Chromium profiles: Alice and Bob) and one real keyserver process: both publish
// and verify their keys; Alice's uploads on a site whose recipients are the group {Alice, Bob} are decrypted by
// Bob's extension on download; a replaced key on the keyserver stops Alice's next upload until she decides; a
// revoked key is never used; share later adds Bob to a file encrypted to Alice alone.
const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const PASSPHRASE = 'teal walrus under nine bridges';

let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let keyserver: Awaited<ReturnType<typeof startKeyserverProcess>>;
let dataDir: string;
let bobDownloads: string;
let aliceDownloads: string;
let site: StaticServer;
let alice: LaunchedExtension;
let bob: LaunchedExtension;
let files: Server;
let filesOrigin: string;
/** What the files server serves at /files/<name>: a stand-in for a shared drive Bob downloads from. */
const served = new Map<string, Buffer>();
let uploads = 0;

const plaintext = (name: string) => Buffer.from(`Team file ${name} ${'y'.repeat(3000)}\n`);

const ok = askBackgroundOk;

/** Confirms the newest verification mail to `email`, as its owner clicking the link would. */
async function confirmMail(email: string, before: number): Promise<void> {
  const link = linkIn(await mail.next(email, 10_000, before), '/verify/');
  expect((await fetch(link, { method: 'POST' })).status).toBe(200);
}

/** A key made outside the extensions (Bob's "new laptop"), uploaded and verified on the keyserver. */
async function publishFromOutside(key: TestKey, email: string): Promise<void> {
  const upload = (await (
    await fetch(`${keyserver.url}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: key.publicArmored }),
    })
  ).json()) as { token: string };
  const before = mail.countTo(email);
  const verify = await fetch(`${keyserver.url}/vks/v1/request-verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: upload.token, addresses: [email] }),
  });
  expect(verify.status).toBe(200);
  await confirmMail(email, before);
}

async function setUpPerson(ext: LaunchedExtension, name: string, email: string): Promise<string> {
  await ok(ext, 'settings.update', { keyserverUrl: keyserver.url, lookupOrder: ['keyserver'] });
  const { key } = (await ok(ext, 'vault.create', { name, email, passphrase: PASSPHRASE })) as {
    key: { fingerprint: string };
  };
  const before = mail.countTo(email);
  await ok(ext, 'publish.key', { fingerprint: key.fingerprint });
  await confirmMail(email, before);
  return key.fingerprint;
}

/** Alice uploads a file on the team site; resolves to what the server received (or null if nothing came). */
async function aliceUploads(name: string): Promise<{ page: Page; body: Buffer | null }> {
  const page = await alice.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  await pickFiles(alice.context, page, () => page.click('#file'), {
    name,
    mimeType: 'text/plain',
    buffer: plaintext(name),
  });
  // Keyward's notice says how it ended: encrypted (then the page uploads), or nothing uploaded and why.
  await expect
    .poll(() => keywardNoticeText(alice.context, page), { timeout: 30_000 })
    .toMatch(/Encrypted|Nothing was uploaded/);
  if (!(await keywardNoticeText(alice.context, page)).includes('Encrypted')) {
    expect(site.uploads).toHaveLength(uploads);
    return { page, body: null };
  }
  const received = (await site.waitForUploads(uploads + 1, 20_000))[uploads]!;
  uploads += 1;
  const [part] = fileParts(received.body, received.headers['content-type']);
  expect(part?.filename).toBe(`${name}.pgp`);
  expect(received.body.includes(plaintext(name))).toBe(false);
  return { page, body: part!.data };
}

/** Bob downloads `name` from the files server (an opted-in site); his extension saves it decrypted. */
async function bobDownloads_(name: string, ciphertext: Buffer): Promise<Buffer> {
  served.set(`${name}.pgp`, ciphertext);
  const page = await bob.context.newPage();
  await page.goto(`${filesOrigin}/list`);
  const [tab] = await Promise.all([
    bob.context.waitForEvent('page'),
    page.click(`a[href="/files/${name}.pgp"]`),
  ]);
  // Keyward offers the download; it decrypts only when the user asks in its own page.
  await tab.getByRole('button', { name: 'Decrypt and save' }).click();
  await tab.getByText(`Saved ${name}`).waitFor({ timeout: 30_000 });
  await expect.poll(() => readdir(bobDownloads), { timeout: 15_000 }).toContain(name);
  await tab.close();
  await page.close();
  return readFile(join(bobDownloads, name));
}

/** Decrypts a file in an extension's decrypt page and returns the plaintext offered for saving. */
async function decryptInPage(ext: LaunchedExtension, name: string, ciphertext: Buffer) {
  const page = await ext.openExtensionPage('decrypt.html');
  await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer: ciphertext });
  await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
  const status = (await page.locator('#status').textContent()) ?? '';
  const bytes = await page.evaluate(async () => {
    const href = (document.querySelector('#save') as HTMLAnchorElement).href;
    return Array.from(new Uint8Array(await (await fetch(href)).arrayBuffer()));
  });
  return { page, status, plaintext: Buffer.from(bytes) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-teams-'));
  bobDownloads = await mkdtemp(join(tmpdir(), 'keyward-e2e-bob-dl-'));
  mail = await startMailCatcher();
  keyserver = await startKeyserverProcess({
    DATA_DIR: dataDir,
    SMTP_URL: mail.url,
    MAIL_ENCRYPT: 'never',
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '20',
  });
  site = await startStaticServer();
  files = createServer((req, res) => {
    if (req.url === '/list') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end([...served.keys()].map((n) => `<a href="/files/${n}">${n}</a>`).join(' '));
      return;
    }
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    const body = served.get(decodeURIComponent(req.url?.replace(/^\/files\//, '') ?? ''));
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' });
    res.end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  aliceDownloads = await mkdtemp(join(tmpdir(), 'keyward-e2e-alice-dl-'));
  [alice, bob] = await Promise.all([
    launchExtension({ downloadsDir: aliceDownloads }),
    launchExtension({ downloadsDir: bobDownloads }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await site?.close();
  await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
  await keyserver?.stop();
  await mail?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(bobDownloads, { recursive: true, force: true });
  await rm(aliceDownloads, { recursive: true, force: true });
});

describe('teams (two Chromium profiles, one keyserver)', () => {
  let bobFingerprint: string;
  let aliceFingerprint: string;

  it('Alice and Bob each create, publish and verify a key', async () => {
    [aliceFingerprint, bobFingerprint] = await Promise.all([
      setUpPerson(alice, 'Alice', ALICE),
      setUpPerson(bob, 'Bob', BOB),
    ]);
    await ok(bob, 'sites.setEnabled', { origin: filesOrigin, enabled: true });
  }, 90_000);

  it('Alice makes the group "Design team" in her options page; Bob\'s key is looked up and pinned', async () => {
    const options = await alice.openExtensionPage('options.html', {
      viewport: { width: 1000, height: 1800 },
    });
    await options.getByRole('heading', { name: 'People', exact: true }).waitFor();
    await options.getByLabel('Add someone by address').fill(BOB);
    await options.getByRole('button', { name: 'Look up their key' }).click();
    const bobCard = options.getByRole('article', { name: `Bob <${BOB}>` });
    await bobCard.waitFor({ timeout: 20_000 });
    expect((await bobCard.locator('.fingerprint').textContent())!.replaceAll(' ', '')).toBe(bobFingerprint);
    await bobCard.getByRole('button', { name: 'Show QR code' }).click();
    await bobCard.getByRole('img', { name: /QR code of the fingerprint/ }).waitFor();
    await bobCard.getByRole('button', { name: 'Mark as verified' }).click();
    await options
      .getByRole('article', { name: `Bob <${BOB}>` })
      .getByText('Verified', { exact: true })
      .waitFor();

    const form = options.locator('#group-form');
    await form.getByLabel('Name').fill('Design team');
    await form.getByLabel('Members: one address per line').fill(`${ALICE}\n${BOB}`);
    await form.getByRole('button', { name: 'Save group' }).click();
    await options.getByRole('article', { name: 'Design team' }).waitFor();
    // Alice hands the group to Bob as a file; his browser pins the fingerprint she verified.
    await options
      .getByRole('article', { name: 'Design team' })
      .getByRole('button', { name: 'Save as file' })
      .click();
    await expect
      .poll(() => readdir(aliceDownloads), { timeout: 15_000 })
      .toContain('Design-team.keyward-group.json');
    const groupFile = await readFile(join(aliceDownloads, 'Design-team.keyward-group.json'));
    const bobOptions = await bob.openExtensionPage('options.html', {
      viewport: { width: 1000, height: 1800 },
    });
    await bobOptions.locator('#group-file').setInputFiles({
      name: 'Design-team.keyward-group.json',
      mimeType: 'application/json',
      buffer: groupFile,
    });
    await bobOptions.getByText('Group “Design team” imported with 2 members.').waitFor();
    await bobOptions.close();
    const bobView = (await ok(bob, 'contacts.list', {})) as {
      awaiting: { email: string; fingerprint: string }[];
    };
    // Alice's key is pinned for Bob from the file (awaiting its first lookup); Bob's own address is not a contact.
    expect(bobView.awaiting).toEqual([{ email: ALICE, fingerprint: aliceFingerprint }]);
    const bobGroups = (await ok(bob, 'groups.list', {})) as { groups: { members: unknown[] }[] };
    expect(bobGroups.groups[0]!.members).toEqual([
      { email: ALICE, fingerprint: aliceFingerprint },
      { email: BOB, fingerprint: bobFingerprint },
    ]);
    await saveScreenshot(options, 'options-people-and-groups');
    await options.close();

    const { groups } = (await ok(alice, 'groups.list', {})) as { groups: { id: string; name: string }[] };
    await ok(alice, 'sites.setEnabled', { origin: site.origin, enabled: true });
    const state = (await ok(alice, 'sites.update', {
      origin: site.origin,
      recipients: { groups: [groups[0]!.id], people: [] },
    })) as { encryptedFor: string[]; recipientProblems: string[] };
    // What the popup shows for the site: Alice herself and Bob through the group (Alice's own address is hers).
    expect(state.encryptedFor).toEqual([`you (Alice <${ALICE}>)`, `Bob <${BOB}> (Design team)`]);
    expect(state.recipientProblems).toEqual([]);
  }, 60_000);

  it("Alice's upload is encrypted to the group, and Bob's extension decrypts it on download", async () => {
    const { page, body } = await aliceUploads('plan.txt');
    expect(body).not.toBeNull();
    await expect
      .poll(() => keywardNoticeText(alice.context, page))
      .toContain(`for: you (Alice <${ALICE}>), Bob <${BOB}> (Design team)`);
    await page.close();
    expect(await bobDownloads_('plan.txt', body!)).toEqual(plaintext('plan.txt'));
    // And Alice can still read what she uploaded.
    const mine = await decryptInPage(alice, 'plan.txt.pgp', body!);
    expect(mine.plaintext).toEqual(plaintext('plan.txt'));
    expect(mine.status).toContain('signed by Alice');
    await expect(mine.page.locator('#encrypted-to').textContent()).resolves.toBe(
      `Encrypted to: Alice <${ALICE}>, Bob <${BOB}>.`,
    );
    await mine.page.close();
  }, 60_000);

  it('share later: a file encrypted to Alice alone is re-shared to Bob; both can read it; its body is unchanged', async () => {
    const other = await startStaticServer();
    try {
      await ok(alice, 'sites.setEnabled', { origin: other.origin, enabled: true });
      const page = await alice.context.newPage();
      await page.goto(other.url('/upload/fetch-formdata.html'));
      await pickFiles(alice.context, page, () => page.click('#file'), {
        name: 'solo.txt',
        mimeType: 'text/plain',
        buffer: plaintext('solo.txt'),
      });
      const [upload] = await other.waitForUploads(1, 20_000);
      const original = fileParts(upload!.body, upload!.headers['content-type'])[0]!.data;
      await page.close();

      const first = await decryptInPage(alice, 'solo.txt.pgp', original);
      await expect(first.page.locator('#encrypted-to').textContent()).resolves.toBe(
        `Encrypted to: Alice <${ALICE}>.`,
      );
      await first.page.getByLabel('People (addresses, separated by commas)').fill(BOB);
      await first.page.getByRole('button', { name: 'Make a copy they can open' }).click();
      await first.page.locator('#shared').waitFor({ state: 'visible', timeout: 30_000 });
      await expect(first.page.locator('#shared-status').textContent()).resolves.toContain(
        `Added Bob <${BOB}>`,
      );
      await saveScreenshot(first.page, 'decrypt-share-later');
      const shared = Buffer.from(
        await first.page.evaluate(async () => {
          const href = (document.querySelector('#save-shared') as HTMLAnchorElement).href;
          return Array.from(new Uint8Array(await (await fetch(href)).arrayBuffer()));
        }),
      );
      await first.page.close();
      // Only a key packet was added: everything after the original's key packet is the same bytes.
      expect(shared.length).toBeGreaterThan(original.length);
      const body = original.length - 200;
      expect(shared.subarray(shared.length - body).equals(original.subarray(original.length - body))).toBe(
        true,
      );

      const forBob = await decryptInPage(bob, 'solo.txt.pgp', shared);
      expect(forBob.plaintext).toEqual(plaintext('solo.txt'));
      expect(forBob.status).toContain('Decrypted with Bob');
      await forBob.page.close();
      const forAlice = await decryptInPage(alice, 'solo.txt.pgp', shared);
      expect(forAlice.plaintext).toEqual(plaintext('solo.txt'));
      await forAlice.page.close();
    } finally {
      await other.close();
    }
  }, 90_000);

  it("Bob's key replaced on the keyserver: Alice's next upload stops and shows the key change", async () => {
    const replacement = await makeTestKey([{ name: 'Bob', email: BOB }]);
    await publishFromOutside(replacement, BOB);
    const { page, body } = await aliceUploads('after-change.txt');
    expect(body).toBeNull(); // nothing reached the site
    await expect
      .poll(() => keywardNoticeText(alice.context, page), { timeout: 20_000 })
      .toContain(`The key for ${BOB} has changed`);
    await page.close();

    const options = await alice.openExtensionPage('options.html', {
      viewport: { width: 1000, height: 1400 },
    });
    const change = options.locator(`[data-email="${BOB}"]`);
    await change.waitFor({ timeout: 20_000 });
    expect((await change.locator('[data-role=pinned]').textContent())!.replaceAll(' ', '')).toBe(
      bobFingerprint,
    );
    expect((await change.locator('[data-role=offered]').textContent())!.replaceAll(' ', '')).toBe(
      replacement.fingerprint,
    );
    await expect(change.textContent()).resolves.toContain('(you verified this one)');
    await saveScreenshot(options, 'options-key-change');
    // Bob confirms by phone that he has a new laptop: Alice accepts the new key, and uploads go through again.
    await change.getByRole('button', { name: 'Use the new key' }).click();
    await change.waitFor({ state: 'detached' });
    await options.close();
    const again = await aliceUploads('after-accept.txt');
    expect(again.body).not.toBeNull();
    await again.page.close();

    // Bob revokes that key: it is never used again, and uploads to the group stop with the reason.
    const revocation = await revokeKey(replacement.privateArmored);
    const upload = await fetch(`${keyserver.url}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: revocation }),
    });
    expect(upload.status).toBe(200);
    const revoked = await aliceUploads('after-revoke.txt');
    expect(revoked.body).toBeNull();
    await expect
      .poll(() => keywardNoticeText(alice.context, revoked.page), { timeout: 20_000 })
      .toMatch(/is revoked, so it is not used for new files/);
    await revoked.page.close();
    const { contacts } = (await ok(alice, 'contacts.list', {})) as {
      contacts: { fingerprint: string; revoked: boolean }[];
    };
    expect(contacts.find((c) => c.fingerprint === replacement.fingerprint)?.revoked).toBe(true);
  }, 120_000);

  it('had no errors in either extension', () => {
    expect(alice.errors()).toEqual([]);
    expect(bob.errors()).toEqual([]);
  });
});
