import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { linkIn, startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import { createKeyward, memoryKeyring, readPrivateKey } from '../../node';
import { addRecipients, decryptFile } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { startThirdPartyApi } from '../../examples/records/third-party-api';
import { makeTestKey, type TestKey } from '../fixtures/test-keys';

// The records example end to end, without a browser: Alice publishes and verifies her key on a real keyserver
// process (the verification mail read from an SMTP catcher), signs up with the example app (its real main.ts, a
// process of its own), which fetches her data from the third-party stand-in and stores it encrypted to her key
// only; the downloaded file opens with her key through the extension's own decryptFile, and the app's database
// holds not one copy of the data. Then "release one file": she shares that record with the service's published
// key (shared/openpgp/add-recipients.ts, the extension's share later) and the service reads that one record and
// no other.

const SERVICE = 'records@example.org';
const PASSPHRASE = 'records service passphrase';
const MARKER = `kw-marker-${randomBytes(12).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'keyward-records-'));
const keyserverDir = mkdtempSync(join(tmpdir(), 'keyward-records-ks-'));

let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let keyserver: Awaited<ReturnType<typeof startKeyserverProcess>>;
let dataApi: Awaited<ReturnType<typeof startThirdPartyApi>>;
let app: { url: string; process: ChildProcess };
let alice: TestKey;
let bob: TestKey;

/** What a VKS client does: upload, ask for the mail, follow the link in it (as the owner clicking it). */
async function publishAndVerify(armoredKey: string, address: string): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${keyserver.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const uploaded = (await (await post('/vks/v1/upload', { keytext: armoredKey })).json()) as {
    token: string;
  };
  const before = mail.countTo(address);
  expect((await post('/vks/v1/request-verify', { token: uploaded.token, addresses: [address] })).status).toBe(
    200,
  );
  const link = linkIn(await mail.next(address, 10_000, before), '/verify/');
  expect((await fetch(link, { method: 'POST' })).status).toBe(200);
}

/** The example's settings, as its README lists them. */
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
    SERVICE_KEY_PASSPHRASE: PASSPHRASE,
  };
}

/** Runs one of the example's scripts (main.ts --publish-key, admin.ts) to its end; its standard output. */
function runScript(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: appEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((ok, fail) =>
    child.on('close', (code) =>
      code === 0 ? ok(stdout) : fail(new Error(`${args.join(' ')}: ${code}\n${stderr}`)),
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

beforeAll(async () => {
  mail = await startMailCatcher();
  keyserver = await startKeyserverProcess({
    DATA_DIR: keyserverDir,
    SMTP_URL: mail.url,
    MAIL_ENCRYPT: 'never',
    WKD_DOMAINS: 'example.org',
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10',
  });
  const date = new Date(Date.now() - 60_000);
  alice = await makeTestKey({ name: 'Alice', email: 'alice@example.org', date });
  bob = await makeTestKey({ name: 'Bob', email: 'bob@example.org', date });
  // The third party knows Alice's and Bob's finances; the marker makes any copy of them findable.
  dataApi = await startThirdPartyApi((email) => ({
    email,
    accounts: [
      { bank: `Bank of ${MARKER}`, balance: 1200.5 },
      { bank: 'Second bank', balance: -200.25 },
    ],
    notes: `secret notes ${MARKER}`,
  }));
  app = await startApp();
}, 60_000);

afterAll(async () => {
  app?.process.kill('SIGTERM');
  await keyserver?.stop();
  await dataApi?.close();
  await mail?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(keyserverDir, { recursive: true, force: true });
});

async function signUp(email: string) {
  const response = await fetch(`${app.url}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const download = async (path: string) =>
  new Uint8Array(await (await fetch(`${app.url}${path}`)).arrayBuffer());

describe('the records example', () => {
  let aliceRecord: { id: string; ciphertext: Uint8Array };

  it('refuses to sign up an address with no published key (nothing is stored for it)', async () => {
    const refused = await signUp('alice@example.org');
    expect(refused.status).toBe(422);
    expect(refused.body.error).toContain('Publish your key with Keyward first');
  });

  it("stores Alice's record encrypted to her published key; the download opens with her key only", async () => {
    await publishAndVerify(alice.publicKeyArmored, 'alice@example.org');
    const signedUp = await signUp('alice@example.org');
    expect(signedUp).toMatchObject({
      status: 201,
      body: { encryptedFor: { userId: 'Alice <alice@example.org>', fingerprint: alice.summary.fingerprint } },
    });
    const id = signedUp.body.id as string;
    const response = await fetch(`${app.url}${signedUp.body.download as string}`);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="record.json.pgp"');
    const ciphertext = new Uint8Array(await response.arrayBuffer());
    aliceRecord = { id, ciphertext };

    const serviceKey = await (await fetch(`${app.url}/service-key.asc`)).text();
    const opened = await decryptFile({
      ciphertext,
      keys: [alice.unlocked],
      verificationKeys: [serviceKey],
      date: new Date(),
    });
    const record = JSON.parse(new TextDecoder().decode(await readAllBytes(opened.plaintext))) as {
      recordId: string;
      data: { notes: string };
    };
    expect(record.recordId).toBe(id);
    expect(record.data.notes).toBe(`secret notes ${MARKER}`);
    expect(opened.filename).toBe('record.json');
    expect((await opened.signatures).map((s) => s.valid)).toEqual([true]);
    await expect(decryptFile({ ciphertext, keys: [bob.unlocked], date: new Date() })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it("the app's database holds no plaintext: the record's unique marker is in none of its files, byte for byte", () => {
    const marker = Buffer.from(MARKER);
    const files = readdirSync(dataDir);
    expect(files).toContain('records.sqlite');
    for (const name of files) {
      const bytes = readFileSync(join(dataDir, name));
      expect(bytes.includes(marker), `${name} contains the record`).toBe(false);
      expect(bytes.includes(Buffer.from('Second bank')), `${name} contains the record`).toBe(false);
    }
    // The check can fail: the ciphertext the app stored is there, byte for byte.
    expect(readFileSync(join(dataDir, 'records.sqlite')).includes(Buffer.from(aliceRecord.ciphertext))).toBe(
      true,
    );
  });

  it('release one file: Alice shares that record with the service key, and the service reads that one only', async () => {
    // The service key is published under the service's address, like anyone's (main.ts --publish-key, then the
    // link mailed to the service's address); Alice looks it up by address.
    const before = mail.countTo(SERVICE);
    expect(await runScript(['examples/records/main.ts', '--publish-key'])).toContain(
      `confirm it with the link mailed to ${SERVICE}`,
    );
    const link = linkIn(await mail.next(SERVICE, 10_000, before), '/verify/');
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    const aliceSide = createKeyward({
      keyring: memoryKeyring(),
      keyserverUrl: keyserver.url,
      sources: ['keyserver'],
    });
    const service = await aliceSide.lookup(SERVICE);

    const shared = await addRecipients({
      ciphertext: aliceRecord.ciphertext,
      keys: [alice.unlocked],
      recipients: [service.armored],
      date: new Date(),
    });
    expect(shared.added).toEqual([service.fingerprint]);
    const copy = await readAllBytes(shared.ciphertext);
    const released = await fetch(`${app.url}/records/${aliceRecord.id}/release`, {
      method: 'POST',
      body: Buffer.from(copy),
    });
    expect(released.status).toBe(200);
    expect(await released.json()).toEqual({
      recordId: aliceRecord.id,
      usedOnce: true,
      summary: { accounts: 2, totalBalance: 1000.25 },
    });

    // Bob's record, never released: the service key cannot open it, through the app or directly.
    await publishAndVerify(bob.publicKeyArmored, 'bob@example.org');
    const bobs = await signUp('bob@example.org');
    const bobCiphertext = await download(bobs.body.download as string);
    const refused = await fetch(`${app.url}/records/${bobs.body.id as string}/release`, {
      method: 'POST',
      body: bobCiphertext,
    });
    expect(refused.status).toBe(403);
    const serviceSecret = await readPrivateKey(readFileSync(join(dataDir, 'service-key.asc')), {
      passphrase: PASSPHRASE,
    });
    await expect(
      decryptFile({ ciphertext: bobCiphertext, keys: [serviceSecret], date: new Date() }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      decryptFile({ ciphertext: aliceRecord.ciphertext, keys: [serviceSecret], date: new Date() }),
    ).rejects.toMatchObject({ code: 'forbidden' });

    // Alice's released copy does not pass for Bob's record.
    const wrongRecord = await fetch(`${app.url}/records/${bobs.body.id as string}/release`, {
      method: 'POST',
      body: Buffer.from(copy),
    });
    expect(wrongRecord.status).toBe(422);
  });

  it("a key change for a user's address stops the service for it until the operator accepts the new key", async () => {
    const newKey = await makeTestKey({
      name: 'Alice',
      email: 'alice@example.org',
      date: new Date(Date.now() - 1000),
    });
    await publishAndVerify(newKey.publicKeyArmored, 'alice@example.org');
    const refused = await signUp('alice@example.org');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('The key for alice@example.org has changed');
    const listed = JSON.parse(await runScript(['examples/records/admin.ts', 'keys', 'list'])) as {
      changes: { email: string; offered: string }[];
    };
    expect(listed.changes).toMatchObject([
      { email: 'alice@example.org', offered: newKey.summary.fingerprint },
    ]);
    expect(await runScript(['examples/records/admin.ts', 'keys', 'accept', 'alice@example.org'])).toBe(
      `alice@example.org: pinned to ${newKey.summary.fingerprint}\n`,
    );
    const accepted = await signUp('alice@example.org');
    expect(accepted).toMatchObject({
      status: 201,
      body: { encryptedFor: { fingerprint: newKey.summary.fingerprint } },
    });
  });
});
