import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock';
import { isKeywardError, type KeywardError } from '../../shared/errors';
import { decryptFile, encryptFile } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { createContactsStore } from '../../extension/contacts/contacts-store';
import { createKeyLookup } from '../../extension/directory/key-lookup';
import { createLegacyService } from '../../extension/legacy/legacy-service';
import type { StorageArea } from '../../extension/platform/storage';
import { createInProcessKeyWork } from '../../extension/vault/key-work';
import { createVault } from '../../extension/vault/vault';
import { createVaultRecords } from '../../extension/vault/vault-records';
import { subjectOf } from '../../keyserver/test-support/legacy-calls';
import { makeTestKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { publishKey } from '../../keyserver/test-support/vks-client';
import { CHEAP_ARGON2 } from '../fixtures/test-keys';

// The extension's legacy service (extension/legacy/legacy-service.ts) on two devices, each with its own vault and
// contacts, against a real keyserver (real SQLite, real mails) whose clock the test moves. What the options page
// asks the background, minus the browser (tests/e2e/legacy.test.ts does it through the UI).
const DAY = 24 * 3_600_000;
const OWNER = 'owner@example.org';
const TRUSTED = 'trusted@example.org';
const PASS = 'owner passphrase for tests';
const TRUSTED_PASS = 'trusted passphrase for tests';
const IMPORT_PASS = 'passphrase for the inherited key';

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

/** One browser profile: a vault, contacts (looked up on the keyserver only) and the legacy service. */
function device(keyserverUrl: () => string) {
  const local = memoryArea();
  const vault = createVault({
    records: createVaultRecords(local, memoryArea()),
    keyWork: createInProcessKeyWork({ argon2: CHEAP_ARGON2 }),
    clock: systemClock,
    autoLockMinutes: () => Promise.resolve(60),
  });
  const lookup = createKeyLookup({
    fetch,
    clock: systemClock,
    keyserverUrl: () => Promise.resolve(keyserverUrl()),
    order: () => Promise.resolve(['keyserver' as const]),
    timeoutMs: 3000,
  });
  const contacts = createContactsStore({ local, lookup, clock: systemClock });
  const legacy = createLegacyService({
    vault,
    contacts,
    keyserverUrl: () => Promise.resolve(keyserverUrl()),
    fetch,
    clock: systemClock,
  });
  return { vault, contacts, legacy };
}

let ks: TestKeyserver;
let keyserverUrl: string;
let owner: ReturnType<typeof device>;
let trusted: ReturnType<typeof device>;
let ownerFpr: string;
let trustedFpr: string;

beforeEach(async () => {
  ks = await startTestKeyserver({ RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000' });
  keyserverUrl = ks.url;
  ks.clock.advance(3_600_000); // keys made below are in the keyserver's past
  owner = device(() => keyserverUrl);
  trusted = device(() => keyserverUrl);
  const [o, t] = await Promise.all([
    owner.vault.create({ name: 'Owner', email: OWNER, passphrase: PASS, version: 4 }),
    trusted.vault.create({ name: 'Trusted', email: TRUSTED, passphrase: TRUSTED_PASS, version: 4 }),
  ]);
  ownerFpr = o.fingerprint;
  trustedFpr = t.fingerprint;
  await publishKey(ks, await owner.vault.publicKey(ownerFpr), [OWNER]);
  await publishKey(ks, await trusted.vault.publicKey(trustedFpr), [TRUSTED]);
});
afterEach(() => ks?.close());

async function failure(promise: Promise<unknown>): Promise<KeywardError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isKeywardError(error)) throw new Error(`expected a KeywardError, got ${String(error)}`);
  return error;
}

const grantTo = (waitingDays: number) =>
  owner.legacy.create({ fingerprint: ownerFpr, trustedAddress: TRUSTED, waitingDays });

async function ownerMails(): Promise<string[]> {
  await ks.background.drain();
  return ks.mail.mails.filter((m) => m.to.includes(OWNER)).map((m) => subjectOf(m));
}

describe('the legacy service on two devices against a real keyserver', () => {
  it('grant, request, release after the period, import: the trusted person opens a file the owner encrypted before', async () => {
    const encrypted = await encryptFile({
      plaintext: new TextEncoder().encode('the will, page 1'),
      recipients: [await owner.vault.publicKey(ownerFpr)],
      date: new Date(),
    });
    const file = await readAllBytes(encrypted.ciphertext);

    const { grant } = await grantTo(3);
    expect(grant).toMatchObject({ state: 'waiting', waitingDays: 3, trustedAddress: TRUSTED, version: 1 });
    expect(grant.trustedFingerprint).toBe(trustedFpr);
    // The trusted person's key was found on the keyserver and pinned like any contact's.
    const { contacts } = await owner.contacts.list();
    expect(contacts.map((c) => [c.fingerprint, c.pinnedFor])).toEqual([[trustedFpr, [TRUSTED]]]);
    expect((await owner.legacy.ownerGrants()).grants.map((g) => g.grantId)).toEqual([grant.grantId]);

    const seen = await trusted.legacy.trustedGrants();
    expect(seen).toMatchObject({ rejected: 0, locked: [] });
    expect(seen.grants).toEqual([
      expect.objectContaining({
        grantId: grant.grantId,
        ownerAddress: OWNER,
        state: 'waiting',
        ownerPin: 'none',
      }),
    ]);
    // Pages get views: no key, payload or signature in anything the service answers.
    expect(JSON.stringify(seen)).not.toMatch(/BEGIN PGP/);

    const asked = await trusted.legacy.requestAccess({
      grantId: grant.grantId,
      trustedFingerprint: trustedFpr,
    });
    expect(asked.grant.state).toBe('requested');
    expect(asked.grant.request?.releaseAt).toBe(ks.clock.now().getTime() + 3 * DAY);
    expect((await ownerMails()).some((s) => s.startsWith(`${TRUSTED} asked for access`))).toBe(true);
    const pending = (await owner.legacy.ownerGrants()).grants[0]!;
    expect(pending).toMatchObject({
      state: 'requested',
      request: { releaseAt: asked.grant.request!.releaseAt },
    });

    const early = await failure(
      trusted.legacy.importReleased({
        grantId: grant.grantId,
        trustedFingerprint: trustedFpr,
        newPassphrase: IMPORT_PASS,
      }),
    );
    expect(early).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/not released yet/) as unknown,
    });
    expect((await trusted.vault.list()).map((k) => k.fingerprint)).toEqual([trustedFpr]);

    ks.clock.advance(3 * DAY);
    await ks.legacy.sweep();
    expect((await trusted.legacy.trustedGrants()).grants[0]?.state).toBe('released');
    const imported = await trusted.legacy.importReleased({
      grantId: grant.grantId,
      trustedFingerprint: trustedFpr,
      newPassphrase: IMPORT_PASS,
    });
    expect(imported.fingerprint).toBe(ownerFpr);
    expect((await trusted.legacy.trustedGrants()).grants[0]).toMatchObject({ imported: true });
    const { key } = await trusted.vault.use(ownerFpr);
    const opened = await decryptFile({ ciphertext: file, keys: [key], date: new Date() });
    expect(new TextDecoder().decode(await readAllBytes(opened.plaintext))).toBe('the will, page 1');
    // Locked in the vault under the trusted person's chosen passphrase, not the owner's.
    await trusted.vault.lock(ownerFpr);
    await expect(trusted.vault.unlock(ownerFpr, PASS)).rejects.toMatchObject({ code: 'forbidden' });
    await trusted.vault.unlock(ownerFpr, IMPORT_PASS);
  });

  it('the owner refuses: the period passes and the trusted person gets nothing', async () => {
    const { grant } = await grantTo(1);
    const asked = await trusted.legacy.requestAccess({
      grantId: grant.grantId,
      trustedFingerprint: trustedFpr,
    });
    const { grant: refused } = await owner.legacy.refuse({
      grantId: grant.grantId,
      requestId: asked.grant.request!.id,
      ownerFingerprint: ownerFpr,
    });
    expect(refused.state).toBe('refused');
    ks.clock.advance(2 * DAY);
    await ks.legacy.sweep();
    const seen = (await trusted.legacy.trustedGrants()).grants[0]!;
    expect(seen.state).toBe('refused');
    expect(seen.nextRequestAt).toBe(refused.request!.endedAt! + 7 * DAY);
    const fetched = await failure(
      trusted.legacy.importReleased({
        grantId: grant.grantId,
        trustedFingerprint: trustedFpr,
        newPassphrase: IMPORT_PASS,
      }),
    );
    expect(fetched.message).toMatch(/refused/);
    expect((await trusted.vault.list()).map((k) => k.fingerprint)).toEqual([trustedFpr]);
    const again = await failure(
      trusted.legacy.requestAccess({ grantId: grant.grantId, trustedFingerprint: trustedFpr }),
    );
    expect(again).toMatchObject({
      code: 'rate_limited',
      message: expect.stringMatching(/ask again in 5 days/) as unknown,
    });
    // A refusal of a request that is no longer pending says so.
    const twice = await failure(
      owner.legacy.refuse({
        grantId: grant.grantId,
        requestId: asked.grant.request!.id,
        ownerFingerprint: ownerFpr,
      }),
    );
    expect(twice.message).toMatch(/no longer pending/);
  });

  it('a change of the waiting period cancels a pending request; a revocation withdraws the grant', async () => {
    const { grant } = await grantTo(10);
    await trusted.legacy.requestAccess({ grantId: grant.grantId, trustedFingerprint: trustedFpr });
    const { grant: changed } = await owner.legacy.change({
      grantId: grant.grantId,
      ownerFingerprint: ownerFpr,
      waitingDays: 30,
    });
    expect(changed).toMatchObject({ version: 2, waitingDays: 30, state: 'waiting', request: null });
    const { grant: revoked } = await owner.legacy.revoke({
      grantId: grant.grantId,
      ownerFingerprint: ownerFpr,
    });
    expect(revoked.state).toBe('revoked');
    expect((await trusted.legacy.trustedGrants()).grants[0]?.state).toBe('revoked');
    const late = await failure(
      owner.legacy.change({ grantId: grant.grantId, ownerFingerprint: ownerFpr, waitingDays: 5 }),
    );
    expect(late.message).toMatch(/revoked/);
  });

  it('locked keys are named for unlocking instead of listed, and actions with them ask to unlock', async () => {
    await grantTo(5);
    await owner.vault.lock();
    await trusted.vault.lock();
    const own = await owner.legacy.ownerGrants();
    expect(own).toMatchObject({ grants: [], locked: [{ fingerprint: ownerFpr }] });
    expect((await trusted.legacy.trustedGrants()).locked).toEqual([
      { fingerprint: trustedFpr, label: `Trusted <${TRUSTED}>` },
    ]);
    const create = await failure(grantTo(5));
    expect(create).toMatchObject({ code: 'forbidden', details: { reason: 'key_locked' } });
  });

  it('clear errors: no key published for the address, the owner key not published, a keyserver that does not answer', async () => {
    const nobody = await failure(
      owner.legacy.create({ fingerprint: ownerFpr, trustedAddress: 'nobody@example.org', waitingDays: 5 }),
    );
    expect(nobody).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/No usable key for nobody@example.org/) as unknown,
    });
    const self = await failure(
      owner.legacy.create({ fingerprint: ownerFpr, trustedAddress: OWNER, waitingDays: 5 }),
    );
    expect(self.message).toMatch(/your own addresses/);

    const other = await owner.vault.create({
      name: 'Unpublished',
      email: 'unpublished@example.org',
      passphrase: PASS,
      version: 4,
    });
    const unpublished = await failure(
      owner.legacy.create({ fingerprint: other.fingerprint, trustedAddress: TRUSTED, waitingDays: 5 }),
    );
    expect(unpublished.message).toMatch(/does not publish this key for unpublished@example.org\. Publish it/);

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    keyserverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const down = await failure(owner.legacy.ownerGrants());
    expect(down).toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`${keyserverUrl} did not answer`) as unknown,
    });
  });

  it("a keyserver's own grant for the owner's address: the owner key differs from the one pinned for the owner, nothing is imported", async () => {
    // The trusted person already has the owner as a contact (pinned key A); a grant whose owner key is B, however
    // self-consistent, must not land in their vault: it opens nothing of the owner's and may be the operator's.
    const { grant } = await grantTo(1);
    const impostor = await makeTestKey([{ name: 'Owner', email: OWNER }]);
    await trusted.contacts.import(impostor.publicArmored, 'paste');
    expect((await trusted.legacy.trustedGrants()).grants[0]?.ownerPin).toBe('different');
    await trusted.legacy.requestAccess({ grantId: grant.grantId, trustedFingerprint: trustedFpr });
    ks.clock.advance(DAY);
    const refused = await failure(
      trusted.legacy.importReleased({
        grantId: grant.grantId,
        trustedFingerprint: trustedFpr,
        newPassphrase: IMPORT_PASS,
      }),
    );
    expect(refused.message).toMatch(/is not the key you have for owner@example.org/);
    expect((await trusted.vault.list()).map((k) => k.fingerprint)).toEqual([trustedFpr]);
  });
});
