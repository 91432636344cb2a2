import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishKey } from '../../keyserver/test-support/vks-client';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import {
  createKeyward,
  decrypt,
  fileKeyring,
  formatGroupFile,
  memoryKeyring,
  readGroupFile,
  readPrivateKey,
  type KeyringStore,
  type LookupSource,
} from '../../node';
import { Email } from '../../shared/identity';
import { decryptFile, readPublicKeys } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { wkdUrls } from '../../shared/wkd';
import { makeTestKey, readFixture, type TestKey } from '../fixtures/test-keys';
import { revokeKey } from '../../keyserver/test-support/test-keys';

// The Node library (keyward/node) against a real keyserver (VKS and its WKD endpoints, real SQLite, real
// verification mails), a domain's own web server for WKD, and a source that is down.

let ks: TestKeyserver;
let dead: string;
let ownDomain: { server: Server; url: string; keys: Map<string, string> };
const folder = mkdtempSync(join(tmpdir(), 'keyward-node-'));

beforeAll(async () => {
  ks = await startTestKeyserver({
    RATE_UPLOADS_PER_HOUR: '1000',
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10',
    RATE_LOOKUPS_PER_MINUTE: '10000',
  });
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((ok) => probe.close(() => ok()));
  // own.example's own web server: WKD direct method only (no openpgpkey. subdomain), as many domains do.
  const keys = new Map<string, string>();
  const server = createServer((req, res) => {
    const key = keys.get(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(key ? 200 : 404, { 'content-type': 'application/octet-stream' }).end(key);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  ownDomain = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys };
});
afterAll(async () => {
  await ks?.close();
  await new Promise<void>((ok) => (ownDomain ? ownDomain.server.close(() => ok()) : ok()));
  rmSync(folder, { recursive: true, force: true });
});

/** The production WKD URLs, with their hosts swapped: example.org is the test keyserver, own.example its own server. */
function localWkd(email: Email) {
  const urls = wkdUrls(email);
  if (Email.domain(email) === 'own.example') {
    return {
      advanced: `${dead}/no-openpgpkey-subdomain`,
      direct: urls.direct.replace('https://own.example', ownDomain.url),
    };
  }
  return {
    advanced: urls.advanced.replace('https://openpgpkey.example.org', ks.url),
    direct: urls.direct.replace('https://example.org', ks.url),
  };
}

function keyward(
  options: {
    keyring?: KeyringStore;
    sources?: LookupSource[];
    keyserverUrl?: string;
    recheckAfterMs?: number;
  } = {},
) {
  return createKeyward({
    keyring: options.keyring ?? memoryKeyring(),
    keyserverUrl: options.keyserverUrl ?? ks.url,
    sources: options.sources ?? ['keyserver', 'wkd', 'keys.openpgp.org'],
    wkdUrls: localWkd,
    keysOpenpgpOrgUrl: dead, // no internet here: keys.openpgp.org stands for a source that is down
    timeoutMs: 3000,
    ...(options.recheckAfterMs === undefined ? {} : { recheckAfterMs: options.recheckAfterMs }),
  });
}

async function person(name: string, email: string, publish = true): Promise<TestKey> {
  const key = await makeTestKey({ name, email, date: new Date(Date.now() - 60_000) });
  if (publish) await publishKey(ks, key.publicKeyArmored, [email]);
  return key;
}

async function opens(ciphertext: Uint8Array, key: TestKey): Promise<Uint8Array> {
  const decrypted = await decryptFile({ ciphertext, keys: [key.unlocked], date: new Date() });
  return readAllBytes(decrypted.plaintext);
}

const text = (s: string) => new TextEncoder().encode(s);

describe('lookup by address, in the chosen order', () => {
  it('finds a published key on the Keyward keyserver and pins it in a file keyring that outlives the client', async () => {
    const alice = await person('Alice', 'alice@example.org');
    const path = join(folder, 'alice-keyring.json');
    const found = await keyward({ keyring: fileKeyring(path) }).lookup('Alice@Example.org');
    expect(found).toMatchObject({
      email: 'alice@example.org',
      fingerprint: alice.summary.fingerprint,
      userId: 'Alice <alice@example.org>',
      newlyPinned: true,
      attempts: [`the Keyward keyserver: found ${alice.summary.fingerprint}`],
    });
    const again = await keyward({ keyring: fileKeyring(path) }).lookup('alice@example.org');
    expect(again.newlyPinned).toBe(false);
    const listed = await keyward({ keyring: fileKeyring(path) }).keys.list();
    expect(listed.keys).toMatchObject([
      { fingerprint: alice.summary.fingerprint, pinnedFor: ['alice@example.org'], source: 'keyserver' },
    ]);
  });

  it('a keyserver that is down is noted and the next source (WKD, advanced method) answers', async () => {
    const bea = await person('Bea', 'bea@example.org');
    const found = await keyward({ keyserverUrl: dead }).lookup('bea@example.org');
    expect(found.fingerprint).toBe(bea.summary.fingerprint);
    expect(found.attempts).toEqual([
      'the Keyward keyserver: not reachable',
      `the address's own domain (WKD): found ${bea.summary.fingerprint}`,
    ]);
  });

  it("uses WKD's direct method on the domain's own web server when there is no advanced one", async () => {
    const cy = await person('Cy', 'cy@own.example', false);
    const [entry] = await readPublicKeys(cy.publicKeyArmored, { date: new Date() });
    const direct = new URL(wkdUrls(Email.parse('cy@own.example')).direct);
    ownDomain.keys.set(direct.pathname, entry!.armored);
    const found = await keyward({ sources: ['wkd', 'keyserver'] }).lookup('cy@own.example');
    expect(found).toMatchObject({ fingerprint: cy.summary.fingerprint, newlyPinned: true });
    expect(found.attempts).toEqual([`the address's own domain (WKD): found ${cy.summary.fingerprint}`]);
  });

  it('an address nobody published says where it looked and what each place answered', async () => {
    await expect(keyward().lookup('nobody@example.org')).rejects.toMatchObject({
      code: 'not_found',
      message:
        'No usable key for nobody@example.org was found. Looked in: the Keyward keyserver: no key; ' +
        "the address's own domain (WKD): no key; keys.openpgp.org: not reachable.",
    });
  });

  it('a key whose address was never verified is never found (user-id spoofing)', async () => {
    const mallory = await person('Mallory', 'dora@example.org', false);
    await fetch(`${ks.url}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: mallory.publicKeyArmored }),
    });
    await expect(keyward().encrypt({ to: ['dora@example.org'], plaintext: text('x') })).rejects.toMatchObject(
      {
        code: 'not_found',
        details: { reason: 'not_found', email: 'dora@example.org' },
      },
    );
  });
});

describe('pinned keys: a changed key is an error the app must act on', () => {
  it('a keyserver substituting a key for a pinned address is refused until the app accepts it', async () => {
    const old = await person('Eve', 'eve@example.org');
    const app = keyward({ keyring: fileKeyring(join(folder, 'eve.json')) });
    const first = await app.encrypt({ to: ['eve@example.org'], plaintext: text('first') });
    expect(await opens(await readAllBytes(first.ciphertext), old)).toEqual(text('first'));

    const replacement = await person('Eve', 'eve@example.org');
    const refused = app.encrypt({ to: ['eve@example.org'], plaintext: text('second') });
    await expect(refused).rejects.toMatchObject({
      code: 'conflict',
      details: {
        reason: 'key_changed',
        email: 'eve@example.org',
        pinned: old.summary.fingerprint,
        offered: replacement.summary.fingerprint,
      },
    });
    // Still refused without asking the sources: the change waits for a decision.
    await expect(
      app.encrypt({ to: ['eve@example.org'], plaintext: text('x'), offline: true }),
    ).rejects.toMatchObject({ details: { reason: 'key_changed' } });
    expect((await app.keys.list()).changes).toMatchObject([
      { email: 'eve@example.org', pinned: old.summary.fingerprint, offered: replacement.summary.fingerprint },
    ]);

    expect(await app.keys.accept('eve@example.org')).toEqual({ pinned: replacement.summary.fingerprint });
    const third = await app.encrypt({ to: ['eve@example.org'], plaintext: text('third') });
    expect(third.recipients.map((r) => r.fingerprint)).toEqual([replacement.summary.fingerprint]);
    expect(await opens(await readAllBytes(third.ciphertext), replacement)).toEqual(text('third'));
  });

  it('rejecting a changed key keeps the pinned one, and that offer is not raised again', async () => {
    const old = await person('Fay', 'fay@example.org');
    const app = keyward();
    await app.lookup('fay@example.org');
    await person('Fay', 'fay@example.org');
    await expect(app.lookup('fay@example.org')).rejects.toMatchObject({ details: { reason: 'key_changed' } });
    await app.keys.reject('fay@example.org');
    const again = await app.encrypt({ to: ['fay@example.org'], plaintext: text('x') });
    expect(again.recipients[0]?.fingerprint).toBe(old.summary.fingerprint);
  });

  it('a revoked key is learnt at the next encryption and never used', async () => {
    const gus = await person('Gus', 'gus@example.org');
    const app = keyward();
    await app.lookup('gus@example.org');
    await fetch(`${ks.url}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: await revokeKey(gus.unlocked) }),
    });
    await expect(app.encrypt({ to: ['gus@example.org'], plaintext: text('x') })).rejects.toMatchObject({
      code: 'forbidden',
      details: { reason: 'key_unusable', email: 'gus@example.org', fingerprint: gus.summary.fingerprint },
      message: expect.stringContaining('is revoked') as unknown,
    });
    expect((await app.keys.list()).keys).toMatchObject([
      { fingerprint: gus.summary.fingerprint, revoked: true },
    ]);
  });

  it('with every source down, the pinned key is used (and a recheck interval skips the lookups)', async () => {
    const hal = await person('Hal', 'hal@example.org');
    const keyring = memoryKeyring();
    await keyward({ keyring }).lookup('hal@example.org');
    const offlineWorld = keyward({ keyring, keyserverUrl: dead, sources: ['keyserver', 'keys.openpgp.org'] });
    const encrypted = await offlineWorld.encrypt({ to: ['hal@example.org'], plaintext: text('hi') });
    expect(await opens(await readAllBytes(encrypted.ciphertext), hal)).toEqual(text('hi'));
    // A substitution the sources would show is not seen within the recheck interval; that is its trade-off.
    const cached = keyward({ keyring, recheckAfterMs: 3_600_000 });
    await person('Hal', 'hal@example.org');
    expect((await cached.recipients(['hal@example.org']))[0]?.fingerprint).toBe(hal.summary.fingerprint);
    await expect(keyward({ keyring }).recipients(['hal@example.org'])).rejects.toMatchObject({
      details: { reason: 'key_changed' },
    });
  });

  it('with every source down and nothing pinned, the error says the sources failed, not that there is no key', async () => {
    const world = keyward({ keyserverUrl: dead, sources: ['keyserver', 'keys.openpgp.org'] });
    await expect(world.encrypt({ to: ['ivy@example.org'], plaintext: text('x') })).rejects.toMatchObject({
      code: 'unavailable',
      details: { reason: 'sources_unavailable', email: 'ivy@example.org' },
    });
    await expect(world.lookup('ivy@example.org')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('a damaged keyring file is refused rather than read as empty (which would re-pin every address)', async () => {
    const path = join(folder, 'damaged.json');
    writeFileSync(path, '{"type":"keyward-keyring","version":1,"keys":');
    await expect(keyward({ keyring: fileKeyring(path) }).lookup('alice@example.org')).rejects.toMatchObject({
      code: 'unavailable',
      details: { reason: 'keyring_damaged' },
    });
  });
});

describe('encrypting to addresses and groups', () => {
  it('encrypts to an address and a group file, signed with the app key; every member opens it and sees who signed', async () => {
    const [ida, jo, kai] = await Promise.all([
      person('Ida', 'ida@example.org'),
      person('Jo', 'jo@example.org'),
      person('Kai', 'kai@example.org'),
    ]);
    const appKey = await makeTestKey({ name: 'Records', email: 'records@example.org' });
    const groupPath = join(folder, 'Team.keyward-group.json');
    const file = formatGroupFile({
      name: 'Team',
      members: [
        { email: 'jo@example.org', fingerprint: jo.summary.fingerprint },
        { email: 'kai@example.org' },
      ],
    });
    writeFileSync(groupPath, file.text);

    const app = keyward();
    const encrypted = await app.encrypt({
      to: ['ida@example.org', await readGroupFile(groupPath), 'jo@example.org'],
      plaintext: text('for the team'),
      filename: 'notes.txt',
      signWith: await readPrivateKey(appKey.privateKeyArmored, { passphrase: appKey.passphrase }),
    });
    expect(encrypted.encryption).toBe('seipdv2');
    expect(encrypted.recipients.map((r) => r.email)).toEqual([
      'ida@example.org',
      'jo@example.org',
      'kai@example.org',
    ]);
    const ciphertext = await readAllBytes(encrypted.ciphertext);
    for (const member of [ida, jo, kai])
      expect(await opens(ciphertext, member)).toEqual(text('for the team'));

    const reader = keyward();
    await reader.keys.import(appKey.publicKeyArmored);
    const decrypted = await reader.decrypt({ ciphertext, keys: kai.unlocked });
    expect(decrypted.filename).toBe('notes.txt');
    expect(await readAllBytes(decrypted.plaintext)).toEqual(text('for the team'));
    expect(await decrypted.signatures).toEqual([
      {
        keyId: appKey.summary.keyId,
        valid: true,
        signer: { fingerprint: appKey.summary.fingerprint, userIds: ['Records <records@example.org>'] },
      },
    ]);
  });

  it("a group file's fingerprint is pinned: a different published key for that member is refused", async () => {
    const expected = await person('Lea', 'lea@example.org', false);
    await person('Lea', 'lea@example.org'); // an impostor's key, published and verified
    const group = {
      name: 'Ops',
      members: [{ email: Email.parse('lea@example.org'), fingerprint: expected.summary.fingerprint }],
    };
    await expect(keyward().encrypt({ to: [group], plaintext: text('x') })).rejects.toMatchObject({
      details: { reason: 'key_changed', pinned: expected.summary.fingerprint },
    });
  });

  it('a hostile group file cannot re-pin an address that already has a key', async () => {
    const max = await person('Max', 'max@example.org');
    const attacker = await makeTestKey({ name: 'Max', email: 'max@example.org' });
    const app = keyward();
    await app.lookup('max@example.org');
    const hostile = {
      name: 'X',
      members: [{ email: Email.parse('max@example.org'), fingerprint: attacker.summary.fingerprint }],
    };
    const encrypted = await app.encrypt({ to: [hostile], plaintext: text('x') });
    expect(encrypted.recipients[0]?.fingerprint).toBe(max.summary.fingerprint);
  });

  it('a GnuPG-made key gets SEIPDv1, which GnuPG 2.2 reads (tests/interop has GnuPG decrypt it)', async () => {
    const app = keyward({ sources: [] });
    await app.keys.import(readFixture('gnupg-ed25519.pub'));
    const [gnupg] = await readPublicKeys(readFixture('gnupg-ed25519.pub'), { date: new Date() });
    const encrypted = await app.encrypt({ to: [gnupg!.summary.emails[0]!], plaintext: text('x') });
    expect(encrypted.encryption).toBe('seipdv1');
  });
});

describe('streaming', () => {
  it('encrypts and decrypts 384 MiB with memory flat in size (RSS grows far less than the data)', async () => {
    const nia = await makeTestKey({ name: 'Nia', email: 'nia@example.org' });
    const app = keyward({ sources: [] });
    await app.keys.import(nia.publicKeyArmored);
    const total = 384 * 1024 * 1024;
    const block = new Uint8Array(1024 * 1024).map((_, i) => (i * 7919) % 251);
    const sent = createHash('sha256');
    let produced = 0;
    let peak = 0;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const plaintext = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced === total) return controller.close();
        const piece = block.slice(); // a fresh buffer each time, as a file read gives
        piece[0] = produced / block.length; // no two pieces alike
        sent.update(piece);
        produced += piece.length;
        sample();
        controller.enqueue(piece);
      },
    });
    const before = process.memoryUsage().rss;
    const encrypted = await app.encrypt({ to: ['nia@example.org'], plaintext, plaintextLength: total });
    const decrypted = await decrypt({ ciphertext: encrypted.ciphertext, keys: nia.unlocked });
    const received = createHash('sha256');
    let length = 0;
    for await (const piece of decrypted.plaintext as unknown as AsyncIterable<Uint8Array>) {
      received.update(piece);
      length += piece.length;
      sample();
    }
    expect(length).toBe(total);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    // Holding the data would take 384 MiB at least (768 with ciphertext and plaintext). Streaming keeps a few
    // chunks in flight; what RSS still grows by (80-95 MiB measured, the same for 64 MiB and 1 GiB) is the heap
    // the garbage collector lets grow before collecting.
    expect(peak - before).toBeLessThan(160 * 1024 * 1024);
  }, 120_000);
});
