import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wkdHash } from '../../shared/wkd';
import { Fingerprint, KeyId } from '../../shared/identity';
import { linkIn } from '../test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import { makeTestKey, userIdsOf } from '../test-support/test-keys';
import { confirmLink, publishKey, vksRequestVerify, vksUpload } from '../test-support/vks-client';

let ks: TestKeyserver;
beforeEach(async () => {
  ks = await startTestKeyserver();
});
afterEach(async () => {
  await ks.close();
});

const get = (path: string) => fetch(`${ks.url}${path}`);
const post = (path: string, body: string, type = 'application/json') =>
  fetch(`${ks.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

describe('attacks on the key directory', () => {
  it('user-id spoofing: an unverified address is never served, and only its owner gets the mail', async () => {
    const mallory = await makeTestKey([{ name: 'Alice', email: 'alice@example.org' }]);
    const up = await vksUpload(ks, mallory.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['alice@example.org']);
    expect((await get('/vks/v1/by-email/alice@example.org')).status).toBe(404);
    expect((await get('/pks/lookup?op=get&options=mr&search=alice@example.org')).status).toBe(404);
    expect((await get('/api/v1/key?email=alice@example.org')).status).toBe(404);
    expect(
      await userIdsOf(await (await get(`/vks/v1/by-fingerprint/${mallory.fingerprint}`)).text()),
    ).toEqual([]);
    // The only way in is the link that went to alice@example.org itself.
    expect(ks.mail.mails.every((m) => m.to.every((to) => to === 'alice@example.org'))).toBe(true);
  });

  it('user-id spoofing: a user id with a second address (GnuPG reads the first) is never published', async () => {
    const mallory = await makeTestKey([
      { name: 'Victim <victim@bank.example>', email: 'attacker@evil.example' },
      { email: 'mallory@evil.example' },
    ]);
    const up = await vksUpload(ks, mallory.publicArmored);
    expect(up.status).toBe(200);
    expect(up.body.status).toEqual({ 'mallory@evil.example': 'unpublished' });
    await publishKey(ks, mallory.publicArmored, ['mallory@evil.example']);
    const served = await (await get('/vks/v1/by-email/mallory@evil.example')).text();
    expect((await userIdsOf(served)).join('\n')).not.toContain('victim@bank.example');
  });

  it('mail amplification: a keyring of many keys is refused before anything is stored or mailed', async () => {
    const keys = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) => makeTestKey([{ email: `amp${i}@example.org` }])),
    );
    const res = await post(
      '/pks/add',
      new URLSearchParams({ keytext: keys.map((k) => k.publicArmored).join('\n') }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/at most 5 keys/);
    expect(await ks.store.keys.countKeys()).toBe(0);
    const two = await vksUpload(ks, keys[0]!.publicArmored + keys[1]!.publicArmored);
    expect(two.status).toBe(400);
    await ks.background.drain();
    expect(ks.mail.mails).toHaveLength(0);
  });

  it('mail amplification: one client can cause only a bounded number of verification mails', async () => {
    await ks.close();
    ks = await startTestKeyserver({ RATE_VERIFY_MAILS_PER_IP_HOUR: '3' });
    const addresses = [1, 2, 3, 4, 5].map((i) => `many${i}@example.org`);
    const key = await makeTestKey(addresses.map((email) => ({ email })));
    const res = await post(
      '/pks/add',
      `keytext=${encodeURIComponent(key.publicArmored)}`,
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    await ks.background.drain();
    expect(ks.mail.mails).toHaveLength(3);
  });

  it("verification denial of service: another key's request for an address neither cancels nor blocks the owner's", async () => {
    const owner = await makeTestKey([{ email: 'owner@example.org' }]);
    const attacker = await makeTestKey([{ email: 'owner@example.org' }]);
    const up = await vksUpload(ks, owner.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['owner@example.org']);
    const link = linkIn(await ks.mail.next('owner@example.org'), '/verify/');
    const upA = await vksUpload(ks, attacker.publicArmored);
    await vksRequestVerify(ks, upA.body.token, ['owner@example.org']);
    expect((await confirmLink(link)).status).toBe(200);
    const served = await openpgp.readKey({
      armoredKey: await (await get('/vks/v1/by-email/owner@example.org')).text(),
    });
    expect(served.getFingerprint().toUpperCase()).toBe(owner.fingerprint);
  });

  it('token replay: a verification link works once', async () => {
    const key = await makeTestKey([{ email: 'replay@example.org' }]);
    const up = await vksUpload(ks, key.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['replay@example.org']);
    const link = linkIn(await ks.mail.next('replay@example.org'), '/verify/');
    expect((await confirmLink(link)).status).toBe(200);
    const again = await confirmLink(link);
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('already used');
  });

  it('token expiry: a verification link older than its lifetime publishes nothing', async () => {
    const key = await makeTestKey([{ email: 'late@example.org' }]);
    const up = await vksUpload(ks, key.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['late@example.org']);
    const link = linkIn(await ks.mail.next('late@example.org'), '/verify/');
    ks.clock.advance(ks.config.TOKEN_TTL_HOURS * 3_600_000 + 1000);
    expect((await confirmLink(link)).status).toBe(403);
    expect((await get('/vks/v1/by-email/late@example.org')).status).toBe(404);
  });

  it('stale token after a newer binding: an older link cannot override a newer request for the address', async () => {
    const first = await makeTestKey([{ email: 'stale@example.org' }]);
    const second = await makeTestKey([{ email: 'stale@example.org' }]);
    const up1 = await vksUpload(ks, first.publicArmored);
    await vksRequestVerify(ks, up1.body.token, ['stale@example.org']);
    const staleLink = linkIn(await ks.mail.next('stale@example.org'), '/verify/');
    ks.clock.advance(61 * 60_000);
    await publishKey(ks, second.publicArmored, ['stale@example.org']);
    expect((await confirmLink(staleLink)).status).toBe(403);
    const served = await (await get('/vks/v1/by-email/stale@example.org')).text();
    expect(served).toBe(await (await get(`/vks/v1/by-fingerprint/${second.fingerprint}`)).text());
  });

  it('enumeration: lookups answer alike for unknown and unverified addresses', async () => {
    const key = await makeTestKey([{ email: 'pending@example.org' }]);
    const up = await vksUpload(ks, key.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['pending@example.org']);
    const pending = await get('/vks/v1/by-email/pending@example.org');
    const unknown = await get('/vks/v1/by-email/nobody@example.org');
    expect(pending.status).toBe(unknown.status);
    expect(await pending.text()).toBe(await unknown.text());
  });

  it('enumeration: unpublish requests answer alike for unknown, pending and published addresses', async () => {
    const pub = await makeTestKey([{ email: 'published@example.org' }]);
    await publishKey(ks, pub.publicArmored, ['published@example.org']);
    const pend = await makeTestKey([{ email: 'pending@example.org' }]);
    await vksUpload(ks, pend.publicArmored);
    const answers = [];
    for (const email of ['published@example.org', 'pending@example.org', 'nobody@example.org']) {
      const res = await post(
        '/manage',
        `email=${encodeURIComponent(email)}`,
        'application/x-www-form-urlencoded',
      );
      answers.push(`${res.status} ${(await res.text()).replaceAll(email, '')}`);
    }
    expect(new Set(answers).size).toBe(1);
    await ks.background.drain();
    expect(ks.mail.countTo('pending@example.org')).toBe(0);
    expect(ks.mail.countTo('nobody@example.org')).toBe(0);
    const link = linkIn(await ks.mail.next('published@example.org', 5000, 1), '/manage/');
    expect((await confirmLink(link)).status).toBe(200);
    expect((await get('/vks/v1/by-email/published@example.org')).status).toBe(404);
  });

  it('short key ids are refused everywhere', async () => {
    expect((await get('/vks/v1/by-keyid/4F47E38E')).status).toBe(400);
    const hkp = await get('/pks/lookup?op=get&search=0x4F47E38E');
    expect(hkp.status).toBe(400);
    expect(await hkp.text()).toMatch(/Short key ids/);
    expect((await get('/api/v1/key?keyId=4F47E38E')).status).toBe(400);
  });

  it('key-id collision: a key whose id is already held by a different key is refused', async () => {
    const victim = await makeTestKey([{ email: 'victim@example.org' }]);
    const attacker = await makeTestKey([{ email: 'attacker@example.org' }]);
    // Plant a stored key that shares the attacker key's id (as a forged collision would).
    const attackerId = Fingerprint.keyId(Fingerprint.parse(attacker.fingerprint));
    const upVictim = await vksUpload(ks, victim.publicArmored);
    const stored = (await ks.store.keys.getKey(Fingerprint.parse(upVictim.body.key_fpr)))!;
    await ks.store.keys.putKey({ ...stored, keyIds: [...stored.keyIds, KeyId.parse(attackerId)] });
    const res = await vksUpload(ks, attacker.publicArmored);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/collision/i);
  });

  it('private key uploads are refused with a clear message', async () => {
    const key = await makeTestKey([{ email: 'secret@example.org' }]);
    const res = await vksUpload(ks, key.privateArmored);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/private key/i);
    expect(await ks.store.keys.countKeys()).toBe(0);
  });

  it.each([
    [
      'an oversized body',
      () => post('/vks/v1/upload', JSON.stringify({ keytext: 'x'.repeat(2 * 1024 * 1024) })),
      413,
    ],
    ['malformed JSON', () => post('/vks/v1/upload', '{"keytext": '), 400],
    ['a JSON array', () => post('/vks/v1/upload', '[]'), 400],
    [
      'garbage armor',
      () =>
        post(
          '/vks/v1/upload',
          JSON.stringify({
            keytext: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----',
          }),
        ),
      400,
    ],
    [
      'binary junk',
      () => post('/vks/v1/upload', JSON.stringify({ keytext: '\u0000\u00ff'.repeat(1000) })),
      400,
    ],
    ['the wrong content type', () => post('/vks/v1/upload', 'keytext=x', 'text/plain'), 400],
    [
      'a forged upload token',
      () => post('/vks/v1/request-verify', JSON.stringify({ token: 'a.b', addresses: [] })),
      403,
    ],
    [
      'an HKP add without keytext',
      () => post('/pks/add', 'foo=bar', 'application/x-www-form-urlencoded'),
      400,
    ],
    [
      'an HKP add with a huge form',
      () => post('/pks/add', `keytext=${'A'.repeat(1_100_000)}`, 'application/x-www-form-urlencoded'),
      413,
    ],
    ['a malformed verify token', () => post('/verify/not-a-token', ''), 403],
    ['a bad address in by-email', () => get('/vks/v1/by-email/%00%0d%0a'), 400],
    ['a broken percent-escape in by-email', () => get('/vks/v1/by-email/%25'), 400],
    ['a lone percent sign in by-email', () => get('/vks/v1/by-email/%'), 400],
    ['a truncated UTF-8 escape in by-email', () => get('/vks/v1/by-email/%E0%A4%A'), 400],
  ])('oversized and malformed bodies: %s gives a clear 4xx, never a 500', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect((await res.text()).length).toBeGreaterThan(0);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('error responses carry the security headers too (clickjacking and sniffing of error pages)', async () => {
    for (const res of [
      await get('/nowhere'),
      await get('/vks/v1/by-fingerprint/00'),
      await post('/verify/x', ''),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  it('rate-limit evasion: a client-chosen X-Forwarded-For is not trusted', async () => {
    // TRUST_PROXY is false here: the header is ignored altogether.
    let last: Response | undefined;
    for (let i = 0; i <= ks.config.RATE_LOOKUPS_PER_MINUTE; i++) {
      last = await fetch(`${ks.url}/vks/v1/by-email/x${i}@example.org`, {
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
    }
    expect(last!.status).toBe(429);
    // Behind a proxy, only the hop the proxy added counts, not what the client put in front of it.
    await ks.close();
    ks = await startTestKeyserver({ TRUST_PROXY: 'true' });
    for (let i = 0; i <= ks.config.RATE_LOOKUPS_PER_MINUTE; i++) {
      last = await fetch(`${ks.url}/vks/v1/by-email/y${i}@example.org`, {
        headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` },
      });
    }
    expect(last!.status).toBe(429);
  });

  it('enumeration: WKD requests by hash alone count against the same per-client lookup limit', async () => {
    let last: Response | undefined;
    for (let i = 0; i <= ks.config.RATE_LOOKUPS_PER_MINUTE; i++)
      last = await get(`/.well-known/openpgpkey/example.org/hu/${wkdHash(`w${i}`)}`);
    expect(last!.status).toBe(429);
    expect((await get('/vks/v1/by-email/x@example.org')).status).toBe(429);
  });

  it('rate limits lookups by address per client and says when to retry', async () => {
    let last: Response | undefined;
    for (let i = 0; i <= ks.config.RATE_LOOKUPS_PER_MINUTE; i++)
      last = await get(`/vks/v1/by-email/n${i}@example.org`);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('content-type')).toMatch(/^text\/plain/);
    // Lookups by fingerprint are not address enumeration and stay available.
    expect((await get(`/vks/v1/by-fingerprint/${'A'.repeat(40)}`)).status).toBe(404);
    ks.clock.advance(60_000);
    expect((await get('/vks/v1/by-email/again@example.org')).status).toBe(404);
  });
});
