import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock';
import { Email } from '../../shared/identity';
import { wkdUrls } from '../../shared/wkd';
import { createContactsStore } from '../../extension/contacts/contacts-store';
import { createKeyLookup, type LookupSource } from '../../extension/directory/key-lookup';
import { createVksClient } from '../../extension/directory/vks-client';
import type { StorageArea } from '../../extension/platform/storage';
import { linkIn } from '../../keyserver/test-support/mail-catcher';
import { makeTestKey, revokeKey, type TestKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';

// The extension's recipient lookup and contacts keyring against a real keyserver (VKS and its WKD endpoints),
// real SQLite and real verification mails.
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
beforeAll(async () => {
  ks = await startTestKeyserver({ RATE_UPLOADS_PER_HOUR: '100', RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10' });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dead = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => ks?.close());

const vks = createVksClient({ fetch, timeoutMs: 3000 });

/** Uploads a key and confirms each address through the mailed link, as its owner would. */
async function publish(key: TestKey, email: string): Promise<void> {
  const upload = await vks.upload(ks.url, key.publicArmored);
  if (upload.status[email] === 'published') return;
  const before = ks.mail.countTo(email);
  await vks.requestVerify(ks.url, upload.token, [email]);
  const link = linkIn(await ks.mail.next(email, 5000, before), '/verify/');
  expect((await fetch(link, { method: 'POST' })).status).toBe(200);
}

/** The production WKD URLs with their host swapped for the test keyserver's (which serves WKD for example.org). */
const localWkd = (email: Email) => {
  const urls = wkdUrls(email);
  return {
    advanced: urls.advanced.replace('https://openpgpkey.example.org', ks.url),
    direct: urls.direct.replace('https://example.org', ks.url),
  };
};

function contactsWith(order: LookupSource[], keyserverUrl = () => ks.url) {
  const lookup = createKeyLookup({
    fetch,
    clock: systemClock,
    keyserverUrl: () => Promise.resolve(keyserverUrl()),
    order: () => Promise.resolve(order),
    wkdUrls: localWkd,
    keysOpenpgpOrgUrl: dead, // no internet here: keys.openpgp.org stands for a source that is down
    timeoutMs: 3000,
  });
  return { lookup, contacts: createContactsStore({ local: memoryArea(), lookup, clock: systemClock }) };
}

describe('recipient lookup by address', () => {
  it('finds a published key on the Keyward keyserver and pins it', async () => {
    const bob = await makeTestKey([{ name: 'Bob', email: 'bob@example.org' }]);
    await publish(bob, 'bob@example.org');
    const { contacts } = contactsWith(['keyserver', 'wkd']);
    expect(await contacts.lookup('Bob@Example.org')).toEqual({ fingerprint: bob.fingerprint, changed: [] });
    const { contacts: list } = await contacts.list();
    expect(list).toMatchObject([
      { fingerprint: bob.fingerprint, source: 'keyserver', pinnedFor: ['bob@example.org'], verified: false },
    ]);
  });

  it("uses WKD (the keyserver's WKD endpoints, advanced method) when it is the first source", async () => {
    const carol = await makeTestKey([{ name: 'Carol', email: 'carol@example.org' }]);
    await publish(carol, 'carol@example.org');
    const { lookup } = contactsWith(['wkd']);
    const result = await lookup.lookup(Email.parse('carol@example.org'));
    expect(result.usable).toMatchObject({ source: 'wkd', summary: { fingerprint: carol.fingerprint } });
    expect(result.usable?.url).toContain('/.well-known/openpgpkey/example.org/hu/');
  });

  it('falls back to the WKD direct method when the advanced one has nothing', async () => {
    const dave = await makeTestKey([{ name: 'Dave', email: 'dave@example.org' }]);
    await publish(dave, 'dave@example.org');
    const lookup = createKeyLookup({
      fetch,
      clock: systemClock,
      keyserverUrl: () => Promise.resolve(ks.url),
      order: () => Promise.resolve(['wkd']),
      wkdUrls: (email) => ({ advanced: `${dead}/nothing`, direct: localWkd(email).direct }),
      timeoutMs: 3000,
    });
    const result = await lookup.lookup(Email.parse('dave@example.org'));
    expect(result.usable?.url).toBe(localWkd(Email.parse('dave@example.org')).direct);
  });

  it('a dead keyserver fails with a clear line and the lookup falls through to the next source', async () => {
    const erin = await makeTestKey([{ name: 'Erin', email: 'erin@example.org' }]);
    await publish(erin, 'erin@example.org');
    const { lookup } = contactsWith(['keyserver', 'wkd'], () => dead);
    const result = await lookup.lookup(Email.parse('erin@example.org'));
    expect(result.usable).toMatchObject({ source: 'wkd', summary: { fingerprint: erin.fingerprint } });
    expect(result.attempts).toEqual([
      'the Keyward keyserver: not reachable',
      `the address's own domain (WKD): found ${erin.fingerprint}`,
    ]);
  });

  it('an address nobody published says where it looked and what each place answered', async () => {
    const { contacts } = contactsWith(['keyserver', 'wkd', 'keys.openpgp.org']);
    await expect(contacts.lookup('nobody@example.org')).rejects.toMatchObject({
      code: 'not_found',
      message:
        'No usable key for nobody@example.org was found. Looked in: the Keyward keyserver: no key; ' +
        "the address's own domain (WKD): no key; keys.openpgp.org: not reachable.",
    });
  });

  it('an unverified address is never found (user-id spoofing): the keyserver does not serve it', async () => {
    const mallory = await makeTestKey([{ name: 'Mallory', email: 'frank@example.org' }]);
    await vks.upload(ks.url, mallory.publicArmored); // uploaded, never verified
    const { contacts } = contactsWith(['keyserver', 'wkd']);
    await expect(contacts.lookup('frank@example.org')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('pinned keys: a key change is never used silently', () => {
  it('key substitution: a replaced key on the keyserver stops the next upload and shows both fingerprints', async () => {
    const old = await makeTestKey([{ name: 'Gina', email: 'gina@example.org' }]);
    await publish(old, 'gina@example.org');
    const { contacts } = contactsWith(['keyserver']);
    const email = Email.parse('gina@example.org');
    expect((await contacts.recipientKeys([email], { fresh: true }))[0]?.fingerprint).toBe(old.fingerprint);

    const replacement = await makeTestKey([{ name: 'Gina', email: 'gina@example.org' }]);
    await publish(replacement, 'gina@example.org');
    await expect(contacts.recipientKeys([email], { fresh: true })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`Keyward knows ${old.fingerprint}`) as unknown,
    });
    const view = await contacts.list();
    expect(view.changes).toMatchObject([
      { email, pinned: old.fingerprint, offered: replacement.fingerprint },
    ]);
    // Still refused without a fresh lookup: the change waits for the user.
    await expect(contacts.recipientKeys([email], { fresh: false })).rejects.toMatchObject({
      code: 'conflict',
    });

    await contacts.decide(email, true);
    expect((await contacts.recipientKeys([email], { fresh: true }))[0]?.fingerprint).toBe(
      replacement.fingerprint,
    );
    expect((await contacts.list()).contacts.map((c) => c.fingerprint)).toEqual([replacement.fingerprint]);
  });

  it('keeping the pinned key dismisses that offer for good', async () => {
    const old = await makeTestKey([{ name: 'Hal', email: 'hal@example.org' }]);
    const { contacts } = contactsWith(['keyserver']);
    await contacts.import(old.publicArmored, 'paste');
    const other = await makeTestKey([{ name: 'Hal', email: 'hal@example.org' }]);
    await publish(other, 'hal@example.org');
    await contacts.refresh();
    expect((await contacts.list()).changes).toHaveLength(1);
    await contacts.decide('hal@example.org', false);
    await contacts.refresh();
    expect((await contacts.list()).changes).toHaveLength(0);
    const [key] = await contacts.recipientKeys([Email.parse('hal@example.org')], { fresh: true });
    expect(key?.fingerprint).toBe(old.fingerprint);
  });

  it('a revoked key is learnt on refresh, flagged, and never used for new files', async () => {
    const ivy = await makeTestKey([{ name: 'Ivy', email: 'ivy@example.org' }]);
    await publish(ivy, 'ivy@example.org');
    const { contacts } = contactsWith(['keyserver']);
    await contacts.lookup('ivy@example.org');
    await vks.upload(ks.url, await revokeKey(ivy.privateArmored));
    await contacts.refresh();
    expect((await contacts.list()).contacts).toMatchObject([{ fingerprint: ivy.fingerprint, revoked: true }]);
    await expect(
      contacts.recipientKeys([Email.parse('ivy@example.org')], { fresh: false }),
    ).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('is revoked') as unknown });
  });

  it('an expired key is flagged and refused', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ email: 'jack@example.org' }],
      keyExpirationTime: 1,
      date: new Date(Date.now() - 60_000),
      format: 'object',
    });
    const { contacts } = contactsWith([]);
    await contacts.import(privateKey.toPublic().armor(), 'paste');
    expect((await contacts.list()).contacts).toMatchObject([{ expired: true }]);
    await expect(
      contacts.recipientKeys([Email.parse('jack@example.org')], { fresh: false }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('has expired') as unknown,
    });
  });

  it('a group file pins a fingerprint before the key is known; a different key under that address is a change', async () => {
    const kim = await makeTestKey([{ name: 'Kim', email: 'kim@example.org' }]);
    const impostor = await makeTestKey([{ name: 'Kim', email: 'kim@example.org' }]);
    await publish(impostor, 'kim@example.org');
    const { contacts } = contactsWith(['keyserver']);
    await contacts.pinExpected([{ email: Email.parse('kim@example.org'), fingerprint: kim.fingerprint }]);
    expect((await contacts.list()).awaiting).toEqual([
      { email: 'kim@example.org', fingerprint: kim.fingerprint },
    ]);
    await expect(
      contacts.recipientKeys([Email.parse('kim@example.org')], { fresh: true }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses a private key as a contact, and a key without an address', async () => {
    const key = await makeTestKey([{ name: 'Lou', email: 'lou@example.org' }]);
    const { contacts } = contactsWith([]);
    await expect(contacts.import(key.privateArmored, 'file')).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('private key') as unknown,
    });
    const { publicKey } = await openpgp.generateKey({ userIDs: [{ name: 'No address' }], format: 'armored' });
    await expect(contacts.import(publicKey, 'paste')).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await contacts.list()).contacts).toEqual([]);
  });

  it('a hostile group file cannot re-pin an address that already has a key', async () => {
    const nia = await makeTestKey([{ name: 'Nia', email: 'nia@example.org' }]);
    const { contacts } = contactsWith([]);
    await contacts.import(nia.publicArmored, 'file');
    const attacker = await makeTestKey([{ name: 'Nia', email: 'nia@example.org' }]);
    expect(
      await contacts.pinExpected([
        { email: Email.parse('nia@example.org'), fingerprint: attacker.fingerprint },
      ]),
    ).toEqual({ pinned: 0 });
    const [key] = await contacts.recipientKeys([Email.parse('nia@example.org')], { fresh: false });
    expect(key?.fingerprint).toBe(nia.fingerprint);
  });
});
