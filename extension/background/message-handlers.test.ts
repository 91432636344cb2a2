import { createPeopleParts } from './people-parts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing';
import { manualClock } from '../../shared/clock';
import { CHEAP_ARGON2, FIXTURE_PASSPHRASE, NOW, readFixture } from '../../tests/fixtures/test-keys';
import { createVksClient } from '../directory/vks-client';
import { answerProtocol } from '../messaging/dispatcher';
import type { MessageType, RequestInput } from '../messaging/protocol';
import type { Reply } from '../messaging/reply';
import { extensionIdentity, type RuntimeMessageSender } from '../platform/runtime';
import { localStorageArea, sessionStorageArea } from '../platform/storage';
import { createPublisher } from '../publishing/publisher';
import { createSettingsStore } from '../settings/settings-store';
import { createSitesStore } from '../sites/sites-store';
import { createInProcessKeyWork } from '../vault/key-work';
import { FREE_FAILURES } from '../vault/unlock-throttle';
import { createVault } from '../vault/vault';
import { createVaultRecords } from '../vault/vault-records';
import { backgroundHandlers } from './message-handlers';

// The background's handlers behind the real dispatcher, on WXT's fake browser: what pages get back for each message.
const id = fakeBrowser.runtime.id;
const options: RuntimeMessageSender = { id, url: `chrome-extension://${id}/options.html`, tab: { id: 2 } };
const webPage: RuntimeMessageSender = { id, url: 'https://evil.example/upload', tab: { id: 3 }, frameId: 0 };
const PASS = 'correct horse battery staple';

let saveTextFile: ReturnType<typeof vi.fn<(filename: string, text: string, mime: string) => Promise<void>>>;
let keyserverCalls: { path: string; body: unknown }[];

/** The keyserver's VKS answers: every address unpublished until asked for, then pending. */
const fakeKeyserver: typeof fetch = (input, init) => {
  const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
  const body: unknown = JSON.parse(init?.body as string);
  keyserverCalls.push({ path, body });
  const asked = keyserverCalls.some((c) => c.path === '/vks/v1/request-verify');
  const status = { 'alice@example.org': asked ? 'pending' : 'unpublished' };
  return Promise.resolve(Response.json({ key_fpr: 'F'.repeat(40), token: 'tok', status }));
};

beforeEach(() => {
  fakeBrowser.reset();
  keyserverCalls = [];
  saveTextFile = vi.fn(() => Promise.resolve());
  const clock = manualClock(NOW);
  const local = localStorageArea();
  const settings = createSettingsStore({
    local,
    mayReach: (url) => Promise.resolve(new URL(url).hostname === '127.0.0.1'),
  });
  const vault = createVault({
    records: createVaultRecords(local, sessionStorageArea()),
    keyWork: createInProcessKeyWork({ argon2: CHEAP_ARGON2 }),
    clock,
    autoLockMinutes: async () => (await settings.get()).autoLockMinutes,
  });
  const publisher = createPublisher({
    vks: createVksClient({ fetch: fakeKeyserver }),
    local,
    clock,
    keyserverUrl: async () => (await settings.get()).keyserverUrl,
    publicKey: (fingerprint) => vault.publicKey(fingerprint),
  });
  const sites = createSitesStore({
    local,
    register: () => Promise.resolve(),
    mayReach: () => Promise.resolve(true),
    now: () => clock.now().getTime(),
  });
  let n = 0;
  const people = createPeopleParts({
    vault,
    keyWork: createInProcessKeyWork({ argon2: CHEAP_ARGON2 }),
    settings,
    local,
    session: sessionStorageArea(),
    clock,
    fetch: fakeKeyserver,
    newId: () => `group-${++n}`,
  });
  answerProtocol({
    identity: extensionIdentity(),
    handlers: backgroundHandlers({
      vault,
      settings,
      publisher,
      sites,
      ...people,
      version: '1.2.3',
      saveTextFile,
      checkKeyserver: (url) => Promise.resolve({ url, healthy: true }),
    }),
    onUnexpectedError: (type, error) => expect.fail(`${type} failed unexpectedly: ${String(error)}`),
  });
});

async function send<K extends MessageType>(
  type: K,
  payload: RequestInput<K>,
  sender: RuntimeMessageSender = options,
): Promise<Reply<unknown>> {
  const replies: unknown[] = await fakeBrowser.runtime.onMessage.trigger(
    { type, payload },
    sender as Browser.runtime.MessageSender,
  );
  return replies[0] as Reply<unknown>;
}

async function value<K extends MessageType>(type: K, payload: RequestInput<K>): Promise<unknown> {
  const reply = await send(type, payload);
  if (!reply.ok) expect.fail(`${type}: ${reply.error.code} ${reply.error.message}`);
  return reply.value;
}

const createAlice = async () =>
  (
    (await value('vault.create', { name: 'Alice', email: 'alice@example.org', passphrase: PASS })) as {
      key: { fingerprint: string };
    }
  ).key.fingerprint;

describe('background message handlers', () => {
  it('status.get reports the real number of keys, the lock state and the default key', async () => {
    expect(await value('status.get', {})).toEqual({
      version: '1.2.3',
      keys: 0,
      locked: true,
      defaultKey: null,
    });
    const fingerprint = await createAlice();
    expect(await value('status.get', {})).toMatchObject({
      keys: 1,
      locked: false,
      defaultKey: { fingerprint, isDefault: true, emails: ['alice@example.org'] },
    });
    await value('vault.lock', {});
    expect(await value('status.get', {})).toMatchObject({ keys: 1, locked: true });
  });

  it('no reply carries private key material or a passphrase, whatever the message', async () => {
    const fingerprint = await createAlice();
    const replies = [
      await send('vault.list', {}),
      await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
      await send('vault.unlock', { fingerprint, passphrase: PASS }),
      await send('vault.changePassphrase', { fingerprint, oldPassphrase: PASS, newPassphrase: 'new one' }),
      await send('vault.export', { fingerprint, part: 'private' }),
      await send('vault.export', { fingerprint, part: 'private-gnupg', passphrase: 'new one' }),
      await send('status.get', {}),
    ];
    expect(replies.every((r) => r.ok)).toBe(true);
    const all = JSON.stringify(replies);
    for (const secret of ['PRIVATE KEY', PASS, FIXTURE_PASSPHRASE, 'new one'])
      expect(all).not.toContain(secret);
  });

  it('vault.export starts the download itself and answers only the filename', async () => {
    const fingerprint = await createAlice();
    expect(await value('vault.export', { fingerprint, part: 'public' })).toEqual({
      filename: 'keyward-alice@example.org-public.asc',
    });
    expect(saveTextFile).toHaveBeenCalledWith(
      'keyward-alice@example.org-public.asc',
      expect.stringContaining('BEGIN PGP PUBLIC KEY BLOCK'),
      'application/pgp-keys',
    );
  });

  it('tells how long to wait after too many wrong passphrases', async () => {
    const fingerprint = await createAlice();
    await value('vault.lock', {});
    for (let i = 0; i < FREE_FAILURES; i++) {
      expect(await send('vault.unlock', { fingerprint, passphrase: 'wrong' })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect(await send('vault.unlock', { fingerprint, passphrase: PASS })).toEqual({
      ok: false,
      error: {
        code: 'rate_limited',
        message: 'Too many wrong passphrases. Try again in 5 seconds.',
        retryAfterSeconds: 5,
      },
    });
  });

  it('publishes a key, remembers the result, and forgets it when the key is deleted', async () => {
    const fingerprint = await createAlice();
    expect(await value('publish.key', { fingerprint })).toMatchObject({
      keyserverUrl: 'http://127.0.0.1:8080',
      fingerprint,
      addresses: [{ email: 'alice@example.org', state: 'pending' }],
    });
    expect(keyserverCalls.map((c) => c.path)).toEqual(['/vks/v1/upload', '/vks/v1/request-verify']);
    expect(keyserverCalls[1]!.body).toEqual({ token: 'tok', addresses: ['alice@example.org'] });
    expect(await value('publish.last', { fingerprint })).toMatchObject({ publication: { fingerprint } });
    await value('vault.delete', { fingerprint });
    expect(await value('publish.last', { fingerprint })).toEqual({ publication: null });
    expect(await value('status.get', {})).toMatchObject({ keys: 0, defaultKey: null });
  });

  it('settings.update refuses a keyserver Keyward has no permission to reach', async () => {
    expect(await send('settings.update', { keyserverUrl: 'https://keys.example.org' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/allow access/) as unknown },
    });
    expect(await value('settings.update', { autoLockMinutes: 5 })).toMatchObject({ autoLockMinutes: 5 });
  });

  it('a content script (a web page) cannot unlock, export or delete a key, even knowing the passphrase', async () => {
    const fingerprint = await createAlice();
    await value('vault.lock', {});
    for (const [type, payload] of [
      ['vault.unlock', { fingerprint, passphrase: PASS }],
      ['vault.export', { fingerprint, part: 'private-gnupg', passphrase: PASS }],
      ['vault.delete', { fingerprint }],
      ['vault.list', {}],
      ['publish.key', { fingerprint }],
    ] as const) {
      expect(await send(type, payload, webPage)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await value('status.get', {})).toMatchObject({ keys: 1, locked: true });
    expect(saveTextFile).not.toHaveBeenCalled();
    expect(keyserverCalls).toEqual([]);
  });

  it('refuses to encrypt uploads on a site before the user has a key, and says where to set one up', async () => {
    const site = 'https://files.example.com';
    const refused = await send('sites.setEnabled', { origin: site, enabled: true });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_input',
        reason: 'no_key',
        message: expect.stringMatching(/^Set up your key first/) as string,
      },
    });
    expect(await value('sites.get', { origin: site })).toMatchObject({ enabled: false });
    await createAlice();
    expect(await value('sites.setEnabled', { origin: site, enabled: true })).toMatchObject({ enabled: true });
  });

  it("a site's recipients: groups must exist, people must be addresses; what the popup shows follows", async () => {
    await createAlice();
    const site = 'https://files.example.com';
    await value('sites.setEnabled', { origin: site, enabled: true });
    const group = (await value('groups.save', {
      name: 'Design team',
      members: [{ email: 'alice@example.org' }, { email: 'bob@example.org' }],
    })) as { id: string; problems: string[] };
    // Saving says at once that Bob has no key that can be used (Alice is the user herself).
    expect(group.problems).toEqual([expect.stringContaining('bob@example.org') as string]);
    const refused = await send('sites.update', {
      origin: site,
      recipients: { groups: ['nope'], people: [] },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await send('sites.update', { origin: site, recipients: { groups: [], people: ['bob'] } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const state = await value('sites.update', {
      origin: site,
      recipients: { groups: [group.id], people: ['Carol@Example.org', 'carol@example.org'] },
    });
    expect(state).toMatchObject({
      recipients: { groups: [group.id], people: ['carol@example.org'] },
      // No key is known for Bob and Carol (nobody published one): the popup says so instead of naming them as
      // recipients as if all were well. Alice is "you".
      encryptedFor: [
        'you (Alice <alice@example.org>)',
        'bob@example.org, no key yet (Design team)',
        'carol@example.org, no key yet',
      ],
      recipientProblems: [
        expect.stringMatching(/^No key is known yet for bob@example.org: an upload looks for one/) as string,
        expect.stringMatching(/^No key is known yet for carol@example.org/) as string,
      ],
    });
  });
});
