import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wkdHash } from '../../shared/wkd';
import { linkIn } from '../test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import { addUserId, makeTestKey, userIdsOf } from '../test-support/test-keys';
import { confirmLink, publishKey, vksRequestVerify, vksUpload } from '../test-support/vks-client';

let ks: TestKeyserver;
beforeEach(async () => {
  ks = await startTestKeyserver();
});
afterEach(async () => {
  await ks.close();
});

const get = (path: string, init?: RequestInit) => fetch(`${ks.url}${path}`, init);
const form = (path: string, fields: Record<string, string>) =>
  fetch(`${ks.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

describe('HKP', () => {
  it('POST /pks/add answers 200 and mails each address of a new key a verification link', async () => {
    const key = await makeTestKey([{ email: 'hkp@example.org' }, { email: 'hkp2@example.org' }]);
    const res = await form('/pks/add', { keytext: key.publicArmored });
    expect(res.status).toBe(200);
    const link = linkIn(await ks.mail.next('hkp@example.org'), '/verify/');
    await ks.mail.next('hkp2@example.org');
    expect((await confirmLink(link)).status).toBe(200);
    // Sending the same key again mails nobody: HKP re-sends must not spam.
    await form('/pks/add', { keytext: key.publicArmored });
    await ks.background.drain();
    expect(ks.mail.countTo('hkp@example.org')).toBe(1);
  });

  it('op=get, op=index and op=vindex with options=mr', async () => {
    const key = await makeTestKey([{ name: 'Hanna: Colon', email: 'hanna@example.org' }]);
    await publishKey(ks, key.publicArmored, ['hanna@example.org']);
    const got = await get(`/pks/lookup?op=get&options=mr&search=0x${key.fingerprint}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toMatch(/application\/pgp-keys/);
    expect(await got.text()).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);

    for (const op of ['index', 'vindex']) {
      const res = await get(`/pks/lookup?op=${op}&options=mr&search=hanna%40example.org`);
      const text = await res.text();
      expect(text.startsWith('info:1:1\n')).toBe(true);
      const [, pub, uid] = text.trim().split('\n');
      expect(pub).toMatch(new RegExp(`^pub:${key.fingerprint}:22:\\d+:\\d+::$`));
      expect(uid).toMatch(/^uid:Hanna%3A Colon <hanna@example\.org>:\d+::$/);
    }
    expect((await get('/pks/lookup?op=get&search=%3Channa%40example.org%3E')).status).toBe(200);
    expect((await get('/pks/lookup?op=stats')).status).toBe(501);
    expect((await get('/pks/lookup?op=get')).status).toBe(400);
    expect((await get('/pks/lookup?op=index&options=mr&search=Hanna')).status).toBe(400);
  });
});

describe('WKD', () => {
  it('serves the binary key with only the requested address, by the advanced and the direct method', async () => {
    const key = await makeTestKey([{ email: 'wkd@example.org' }]);
    const both = await addUserId(key.privateArmored, { email: 'wkd-other@example.org' });
    await publishKey(ks, both.publicArmored, ['wkd@example.org', 'wkd-other@example.org']);
    const hash = wkdHash('wkd');
    expect((await get('/.well-known/openpgpkey/example.org/policy')).status).toBe(200);
    for (const path of [
      `/.well-known/openpgpkey/example.org/hu/${hash}?l=wkd`,
      `/.well-known/openpgpkey/hu/${hash}?l=wkd`,
      // Without ?l= (optional in the draft; static WKD hosting ignores it), and with an l that names nobody.
      `/.well-known/openpgpkey/example.org/hu/${hash}`,
      `/.well-known/openpgpkey/hu/${hash}`,
      `/.well-known/openpgpkey/example.org/hu/${hash}?l=someone-else`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      const key2 = await openpgp.readKey({ binaryKey: new Uint8Array(await res.arrayBuffer()) });
      expect(key2.users.map((u) => u.userID?.email)).toEqual(['wkd@example.org']);
      const head = await get(path, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    }
    expect((await get(`/.well-known/openpgpkey/example.org/hu/${wkdHash('nobody')}?l=nobody`)).status).toBe(
      404,
    );
    expect((await get(`/.well-known/openpgpkey/example.org/hu/${wkdHash('nobody')}`)).status).toBe(404);
    expect((await get(`/.well-known/openpgpkey/other.example/hu/${hash}?l=wkd`)).status).toBe(404);
    expect((await get(`/.well-known/openpgpkey/other.example/hu/${hash}`)).status).toBe(404);
    const other = await get(`/.well-known/openpgpkey/example.org/hu/${wkdHash('wkd-other')}`);
    const otherKey = await openpgp.readKey({ binaryKey: new Uint8Array(await other.arrayBuffer()) });
    expect(otherKey.users.map((u) => u.userID?.email)).toEqual(['wkd-other@example.org']);
    expect((await get('/.well-known/openpgpkey/example.org/hu/')).status).toBe(404);
  });
});

describe('Mailvelope REST', () => {
  it('uploads with POST /api/v1/key, verifies by mail and looks up by email, fingerprint and keyId', async () => {
    const key = await makeTestKey([{ name: 'Ida', email: 'ida@example.org' }]);
    const res = await fetch(`${ks.url}/api/v1/key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publicKeyArmored: key.publicArmored }),
    });
    expect(res.status).toBe(201);
    expect((await confirmLink(linkIn(await ks.mail.next('ida@example.org'), '/verify/'))).status).toBe(200);
    for (const q of [
      `email=ida@example.org`,
      `fingerprint=${key.fingerprint}`,
      `keyId=${key.fingerprint.slice(-16)}`,
    ]) {
      const found = await get(`/api/v1/key?${q}`);
      expect(found.status, q).toBe(200);
      const body = (await found.json()) as {
        keyId: string;
        fingerprint: string;
        userIds: { email: string; name: string }[];
        algorithm: unknown;
        keySize: unknown;
        publicKeyArmored: string;
      };
      expect(body.keyId).toBe(key.fingerprint.slice(-16).toLowerCase());
      expect(body.fingerprint).toBe(key.fingerprint.toLowerCase());
      // By name, as Mailvelope's README shows it (openpgp.js's name: a v4 Ed25519 key is EdDSA "legacy").
      expect(body.algorithm).toBe('eddsaLegacy');
      expect(body.keySize).toBe(255);
      expect(body.userIds).toEqual([{ name: 'Ida', email: 'ida@example.org', verified: true }]);
      expect(await userIdsOf(body.publicKeyArmored)).toEqual(['Ida <ida@example.org>']);
    }
    const del = await get('/api/v1/key?email=ida@example.org', { method: 'DELETE' });
    expect(del.status).toBe(202);
    const link = linkIn(await ks.mail.next('ida@example.org', 5000, 1), '/manage/');
    expect((await confirmLink(link)).status).toBe(200);
    expect((await get('/api/v1/key?email=ida@example.org')).status).toBe(404);
  });
});

describe('Mailvelope REST removal', () => {
  it('DELETE /api/v1/key?keyId= mails a removal link to each published address of the key', async () => {
    const key = await makeTestKey([{ name: 'Jan', email: 'jan@example.org' }]);
    const both = await addUserId(key.privateArmored, { email: 'jan@work.example' });
    await publishKey(ks, both.publicArmored, ['jan@example.org', 'jan@work.example']);
    const keyId = key.fingerprint.slice(-16).toLowerCase();
    expect((await get(`/api/v1/key?keyId=${keyId}`, { method: 'DELETE' })).status).toBe(202);
    const link = linkIn(await ks.mail.next('jan@example.org', 5000, 1), '/manage/');
    await ks.mail.next('jan@work.example', 5000, 1);
    expect((await confirmLink(link)).status).toBe(200);
    expect((await get('/api/v1/key?email=jan@example.org')).status).toBe(404);
    expect((await get('/api/v1/key?email=jan@work.example')).status).toBe(200);
  });

  it('enumeration: DELETE by an unknown key id answers alike and mails nobody', async () => {
    const before = ks.mail.mails.length;
    expect((await get('/api/v1/key?keyId=0123456789ABCDEF', { method: 'DELETE' })).status).toBe(202);
    expect((await get('/api/v1/key?keyId=01234567', { method: 'DELETE' })).status).toBe(400);
    expect((await get('/api/v1/key', { method: 'DELETE' })).status).toBe(400);
    await ks.background.drain();
    expect(ks.mail.mails.length).toBe(before);
  });
});

describe('pages and operations', () => {
  it('renders home, upload, search and manage pages without scripts', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await home.text();
    expect(html).toContain('Publish your public key');
    expect(html).not.toContain('<script');

    const key = await makeTestKey([{ email: 'jo@example.org' }]);
    const up = await form('/upload', { keytext: key.publicArmored });
    expect(up.status).toBe(200);
    expect(await up.text()).toContain('verification link');
    await confirmLink(linkIn(await ks.mail.next('jo@example.org'), '/verify/'));
    const found = await get('/search?q=jo%40example.org');
    expect(await found.text()).toContain(key.fingerprint.slice(0, 4));

    const bad = await form('/upload', { keytext: 'nonsense' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('builds page links under the path of BASE_URL (a keyserver mounted under a prefix)', async () => {
    await ks.close();
    ks = await startTestKeyserver({ BASE_URL: 'https://example.org/keys/' });
    const html = await (await get('/')).text();
    expect(html).toContain('action="/keys/upload"');
    expect(html).toContain('href="/keys/manage"');
    const key = await makeTestKey([{ email: 'kim@example.org' }]);
    await form('/upload', { keytext: key.publicArmored });
    const token = linkIn(await ks.mail.next('kim@example.org'), '/verify/').slice(-43);
    const confirm = await (await get(`/verify/${token}`)).text();
    expect(confirm).toContain(`action="/keys/verify/${token}"`);
  });

  it('the confirmation pages say which address and key they are about, and leave the link usable', async () => {
    const key = await makeTestKey([{ email: 'lea@example.org' }]);
    await form('/upload', { keytext: key.publicArmored });
    const link = linkIn(await ks.mail.next('lea@example.org'), '/verify/');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Publish lea@example.org with the key');
    expect(text.replace(/\s/g, '')).toContain(key.fingerprint.toUpperCase());
    expect((await confirmLink(link)).status).toBe(200); // looking did not use it up

    expect((await get('/api/v1/key?email=lea@example.org', { method: 'DELETE' })).status).toBe(202);
    const removal = linkIn(await ks.mail.next('lea@example.org', 5000, 1), '/manage/');
    expect(await (await fetch(removal)).text()).toContain('Remove lea@example.org (key');
    expect((await confirmLink(removal)).status).toBe(200);
  });

  it('a confirmation page for an unknown or used link says so, with no form', async () => {
    for (const path of [`/verify/${'A'.repeat(43)}`, `/manage/${'A'.repeat(43)}`, '/verify/short']) {
      const res = await get(path);
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toMatch(/invalid, was already used/);
      expect(html).not.toContain('<form');
    }
  });

  it('escapes what users typed into pages (stored XSS through the search box)', async () => {
    const res = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(await res.text()).not.toContain('<script>alert(1)</script>');
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    await get('/vks/v1/by-fingerprint/0000');
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain(
      'keyward_http_requests_total{route="/vks/v1/by-fingerprint/:fpr",method="GET",status="400"}',
    );
    expect(metrics).toContain('keyward_process_resident_memory_bytes');
  });

  it('serves /metrics only with the bearer token when METRICS_TOKEN is set', async () => {
    await ks.close();
    const token = 'metrics-token-'.padEnd(48, 'x');
    ks = await startTestKeyserver({ METRICS_TOKEN: token });
    const metrics = (authorization?: string) =>
      get('/metrics', authorization === undefined ? {} : { headers: { authorization } });
    expect((await metrics()).status).toBe(403);
    expect((await metrics(`Bearer ${token}x`)).status).toBe(403);
    expect((await metrics(`Basic ${token}`)).status).toBe(403);
    const ok = await metrics(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('keyward_http_requests_total');
    expect((await get('/healthz')).status).toBe(200); // health checks need no token
  });

  it('/healthz turns 503 when the mail queue is stuck, says why, and recovers once the mail goes out', async () => {
    ks.mail.refuse(451);
    const key = await makeTestKey([{ email: 'stuck@example.org' }]);
    const up = await vksUpload(ks, key.publicArmored);
    expect((await vksRequestVerify(ks, up.body.token, ['stuck@example.org'])).status).toBe(200);
    await ks.background.drain();
    expect((await get('/healthz')).status).toBe(200);
    ks.clock.advance((ks.config.MAIL_STUCK_MINUTES + 1) * 60_000);
    const stuck = await get('/healthz');
    expect(stuck.status).toBe(503);
    const body = (await stuck.json()) as { status: string; problems: string[] };
    expect(body.status).toBe('unhealthy');
    expect(body.problems).toEqual([
      expect.stringMatching(/^mail: 1 unsent, the oldest for 16 minutes .*451$/),
    ]);
    expect(JSON.stringify(body)).not.toContain('stuck@example.org');
    ks.mail.refuse(null);
    await ks.mailQueue.sweep();
    expect(ks.mail.countTo('stuck@example.org')).toBe(1);
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('answers CORS preflights for lookups only', async () => {
    const pre = await get('/vks/v1/upload', { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect((await get('/manage')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
