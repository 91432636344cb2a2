import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock';
import { decryptFile, encryptFile, inspectMessage, type UnlockedKey } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { createContactsStore } from '../../extension/contacts/contacts-store';
import { createKeyLookup } from '../../extension/directory/key-lookup';
import { createVksClient } from '../../extension/directory/vks-client';
import { createReleaseService } from '../../extension/downloads/release-service';
import { releaseChannel, type ReleaseReport } from '../../extension/messaging/release-channel';
import { endOf } from '../../extension/messaging/channel';
import type { MessagePort } from '../../extension/platform/ports';
import type { StorageArea } from '../../extension/platform/storage';
import { createInProcessKeyWork } from '../../extension/vault/key-work';
import { createVault } from '../../extension/vault/vault';
import { createVaultRecords } from '../../extension/vault/vault-records';
import { linkIn } from '../../keyserver/test-support/mail-catcher';
import { makeTestKey, type TestKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { CHEAP_ARGON2, FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';

// "Release one file to a service", the background's half (extension/downloads/release-service.ts), with the
// extension's real vault, contacts keyring and lookup against a real keyserver.
const BASE = 'chrome-extension://keyward-id/';
const SERVICE = 'records@example.org';

function memoryArea(): StorageArea {
  const items = new Map<string, unknown>();
  return {
    get: (key) => Promise.resolve(structuredClone(items.get(key))),
    getAll: () => Promise.resolve(Object.fromEntries(items)),
    set: (values) =>
      Promise.resolve(void Object.entries(values).forEach(([k, v]) => items.set(k, structuredClone(v)))),
    remove: (keys) => Promise.resolve(void [keys].flat().forEach((k) => items.delete(k))),
  };
}

let ks: TestKeyserver;
let dead: string;
let service: TestKey;
let record: Uint8Array;
const vks = createVksClient({ fetch, timeoutMs: 3000 });

async function publish(key: TestKey, email: string, confirm = true): Promise<void> {
  const upload = await vks.upload(ks.url, key.publicArmored);
  const before = ks.mail.countTo(email);
  await vks.requestVerify(ks.url, upload.token, [email]);
  const link = linkIn(await ks.mail.next(email, 5000, before), '/verify/');
  if (confirm) expect((await fetch(link, { method: 'POST' })).status).toBe(200);
}

async function parts(keyserverUrl = () => ks.url) {
  const lookup = createKeyLookup({
    fetch,
    clock: systemClock,
    keyserverUrl: () => Promise.resolve(keyserverUrl()),
    order: () => Promise.resolve(['keyserver']),
    timeoutMs: 3000,
  });
  const local = memoryArea();
  const contacts = createContactsStore({ local, lookup, clock: systemClock });
  const vault = createVault({
    records: createVaultRecords(local, memoryArea()),
    keyWork: createInProcessKeyWork({ argon2: CHEAP_ARGON2 }),
    clock: systemClock,
    autoLockMinutes: () => Promise.resolve(30),
  });
  await vault.import(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
  await vault.unlock(undefined, FIXTURE_PASSPHRASE);
  const releases = createReleaseService({ vault, contacts, lookup, clock: systemClock, baseUrl: BASE });
  return { releases, vault, contacts };
}

beforeAll(async () => {
  ks = await startTestKeyserver({ RATE_UPLOADS_PER_HOUR: '100', RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10' });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dead = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  service = await makeTestKey([{ name: 'Records', email: SERVICE }]);
  await publish(service, SERVICE);
  const encrypted = await encryptFile({
    plaintext: new TextEncoder().encode('{"recordId":"r1","secret":"only mine"}'),
    recipients: [readFixture('gnupg-ed25519.pub')],
    date: new Date(),
    filename: 'record.json',
  });
  record = await readAllBytes(encrypted.ciphertext);
});
afterAll(() => ks?.close());

const recordFile = () => new File([record as Uint8Array<ArrayBuffer>], 'record.json.pgp');

describe('release one file: the service key and the copy', () => {
  it("looks the service's published key up and says who it is, before anything is shared", async () => {
    const { releases } = await parts();
    expect(await releases.lookup(SERVICE)).toEqual({
      kind: 'found',
      address: SERVICE,
      fingerprint: service.fingerprint,
      userId: `Records <${SERVICE}>`,
    });
  });

  it('shares that one file with exactly the key shown: the service opens it, the contents are not re-encrypted', async () => {
    const { releases } = await parts();
    const report = await releases.share(recordFile(), SERVICE, service.fingerprint);
    expect(report).toMatchObject({ kind: 'shared', added: true });
    const copy = new Uint8Array(
      await (report as Extract<ReleaseReport, { kind: 'shared' }>).file.arrayBuffer(),
    );
    const serviceKey = service.privateArmored as UnlockedKey; // generated without a passphrase
    const opened = await decryptFile({ ciphertext: copy, keys: [serviceKey], date: new Date() });
    expect(new TextDecoder().decode(await readAllBytes(opened.plaintext))).toContain('only mine');
    // The original still does not open with the service key, and the copy ends with the original's encrypted body.
    await expect(
      decryptFile({ ciphertext: record, keys: [serviceKey], date: new Date() }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const info = await inspectMessage(copy);
    expect(info.recipients).toHaveLength(2);
    // The last 64 bytes (the encrypted data's end and its tag): a re-encryption would change them all.
    const tail = record.subarray(record.length - 64);
    expect(Buffer.from(copy.subarray(copy.length - tail.length)).equals(Buffer.from(tail))).toBe(true);
  });

  it('attack: an address whose key was uploaded but never verified is not found, and nothing is shared', async () => {
    const unverified = await makeTestKey([{ name: 'Not Yet', email: 'pending@example.org' }]);
    await publish(unverified, 'pending@example.org', false);
    const { releases } = await parts();
    const report = await releases.lookup('pending@example.org');
    expect(report).toMatchObject({ kind: 'failed', reason: 'no-key' });
    expect((report as { message: string }).message).toContain(
      'pending@example.org has no verified, published key',
    );
    expect(await releases.share(recordFile(), 'pending@example.org', unverified.fingerprint)).toMatchObject({
      kind: 'failed',
      reason: 'no-key',
    });
  });

  it('the keyserver down: says so (not "no key"), and nothing is shared', async () => {
    const { releases } = await parts(() => dead);
    const report = await releases.lookup(SERVICE);
    expect(report).toMatchObject({ kind: 'failed', reason: 'unavailable' });
    expect((report as { message: string }).message).toContain('the Keyward keyserver: not reachable');
  });

  it('attack: a key other than the one the user was shown (replaced on the keyserver) is not used', async () => {
    const { releases } = await parts();
    expect(await releases.lookup(SERVICE)).toMatchObject({ fingerprint: service.fingerprint });
    const other = await makeTestKey([{ email: 'someone@example.org' }]);
    expect(await releases.share(recordFile(), SERVICE, other.fingerprint)).toMatchObject({
      kind: 'failed',
      reason: 'key-changed',
    });
    // The service's key replaced after the user looked: pinned, so the change waits for the user's decision.
    const replacement = await makeTestKey([{ name: 'Records', email: SERVICE }]);
    await publish(replacement, SERVICE);
    expect(await releases.share(recordFile(), SERVICE, service.fingerprint)).toMatchObject({
      kind: 'failed',
      reason: 'key-changed',
    });
    // Put the original back for the other tests (a fresh contacts keyring pins whatever is published).
    await publish(service, SERVICE);
  });

  it('a locked vault: the user is asked to unlock, nothing is shared', async () => {
    const { releases, vault } = await parts();
    await vault.lock();
    expect(await releases.share(recordFile(), SERVICE, service.fingerprint)).toMatchObject({
      kind: 'locked',
    });
  });

  it("a file that is not the user's cannot be released", async () => {
    const { releases } = await parts();
    const theirs = await encryptFile({
      plaintext: new TextEncoder().encode('not yours'),
      recipients: [readFixture('gnupg-rsa3072.pub')],
      date: new Date(),
    });
    const file = new File([(await readAllBytes(theirs.ciphertext)) as Uint8Array<ArrayBuffer>], 'x.pgp');
    await expect(releases.share(file, SERVICE, service.fingerprint)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('attack: a page trying to trigger a release', () => {
  /** A port as the background gets it, from `sender`; what it was told, and whether it was dropped. */
  function portFrom(url: string | undefined) {
    const posted: unknown[] = [];
    let listener: ((m: unknown) => void) | undefined;
    let dropped = false;
    const port: MessagePort = {
      name: 'keyward-release',
      sender: url === undefined ? undefined : { id: 'keyward-id', url, tab: { id: 4 }, frameId: 0 },
      post: (m) => posted.push(m),
      onMessage: (l) => (listener = l),
      onDisconnect: () => undefined,
      disconnect: () => (dropped = true),
    };
    return { port, posted, send: (m: unknown) => listener?.(m), dropped: () => dropped };
  }

  it.each([
    ["a web page's content script (an opted-in site)", 'https://records.example/records/1'],
    ["another of Keyward's pages (the notice frame a page embeds)", `${BASE}notice.html`],
    ['a page of another extension', 'chrome-extension://other-id/decrypt.html'],
    ['no sender URL', undefined],
  ])('%s: the port is dropped before any message is read', async (_who, url) => {
    const { releases } = await parts();
    const from = portFrom(url);
    releases.serve(endOf(from.port, releaseChannel.fromOpener));
    expect(from.dropped()).toBe(true);
    from.send({ kind: 'share', file: recordFile(), address: SERVICE, fingerprint: service.fingerprint });
    await new Promise((r) => setTimeout(r, 200));
    expect(from.posted).toEqual([]);
  });

  it("Keyward's decrypt page is answered (the control: the same request works from there)", async () => {
    const { releases } = await parts();
    const from = portFrom(`${BASE}decrypt.html#x`);
    releases.serve(endOf(from.port, releaseChannel.fromOpener));
    expect(from.dropped()).toBe(false);
    from.send({ kind: 'lookup', address: SERVICE });
    await expect.poll(() => from.posted, { timeout: 10_000 }).toHaveLength(1);
    expect(from.posted[0]).toMatchObject({ kind: 'found', fingerprint: service.fingerprint });
  });
});
