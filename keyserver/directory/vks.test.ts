import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as openpgp from 'openpgp';
import pino from 'pino';
import { Email, Fingerprint } from '../../shared/identity';
import { sweepExpired } from './sweeper';
import { linkIn } from '../test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import {
  addUserId,
  makeTestKey,
  revokeKey,
  revokeUserId,
  subkeyFingerprintsOf,
  userIdsOf,
} from '../test-support/test-keys';
import { confirmLink, publishKey, vksRequestVerify, vksUpload } from '../test-support/vks-client';

let ks: TestKeyserver;
beforeEach(async () => {
  ks = await startTestKeyserver();
});
afterEach(async () => {
  await ks.close();
});

const get = (path: string) => fetch(`${ks.url}${path}`);

describe('VKS: upload, verify, look up', () => {
  it('publishes an address only after its mailed link is confirmed with POST', async () => {
    const alice = await makeTestKey([{ name: 'Alice', email: 'alice@example.org' }]);
    const up = await vksUpload(ks, alice.publicArmored);
    expect(up.status).toBe(200);
    expect(up.body.key_fpr).toBe(alice.fingerprint);
    expect(up.body.status).toEqual({ 'alice@example.org': 'unpublished' });

    expect((await get('/vks/v1/by-email/alice@example.org')).status).toBe(404);

    const rv = await vksRequestVerify(ks, up.body.token, ['alice@example.org']);
    expect(rv.body.status).toEqual({ 'alice@example.org': 'pending' });
    const link = linkIn(await ks.mail.next('alice@example.org'), '/verify/');
    expect(link.startsWith(`${ks.url}/verify/`)).toBe(true);

    // A GET (a mail scanner following the link) shows a button and publishes nothing.
    const page = await fetch(link);
    expect(await page.text()).toContain('<form method="post"');
    expect((await get('/vks/v1/by-email/alice@example.org')).status).toBe(404);

    const confirmed = await confirmLink(link);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('alice@example.org is now published');

    const res = await get('/vks/v1/by-email/Alice@Example.org');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/pgp-keys/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const served = await res.text();
    expect(await userIdsOf(served)).toEqual(['Alice <alice@example.org>']);

    const up2 = await vksUpload(ks, alice.publicArmored);
    expect(up2.body.status).toEqual({ 'alice@example.org': 'published' });
  });

  it('takes keytext as base64 of the binary key too, wrapped or not', async () => {
    const key = await makeTestKey([{ email: 'b64@example.org' }]);
    const binary = (await openpgp.readKey({ armoredKey: key.publicArmored })).write();
    const base64 = Buffer.from(binary).toString('base64');
    for (const keytext of [base64, base64.replace(/.{76}/g, '$&\n')]) {
      const up = await vksUpload(ks, keytext);
      expect(up.status).toBe(200);
      expect(up.body.key_fpr).toBe(key.fingerprint);
      expect(up.body.status).toEqual({ 'b64@example.org': 'unpublished' });
    }
    const secret = (await openpgp.readPrivateKey({ armoredKey: key.privateArmored })).write();
    const refused = await vksUpload(ks, Buffer.from(secret).toString('base64'));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/private key/i);
    const notAKey = await vksUpload(ks, 'bm90IGEga2V5'); // base64 of "not a key"
    expect(notAKey.status).toBe(400);
    expect(notAKey.body.error).toMatch(/not an OpenPGP public key/);
  });

  it('reports an address whose user id is revoked as revoked, and mails it nothing', async () => {
    const key = await makeTestKey([{ email: 'kept@example.org' }]);
    const both = await addUserId(key.privateArmored, { email: 'gone@example.org' });
    await publishKey(ks, both.publicArmored, ['kept@example.org', 'gone@example.org']);
    const up = await vksUpload(ks, await revokeUserId(both.privateArmored, 'gone@example.org'));
    expect(up.body.status).toEqual({ 'kept@example.org': 'published', 'gone@example.org': 'revoked' });
    expect((await get('/vks/v1/by-email/gone@example.org')).status).toBe(404);
    const rv = await vksRequestVerify(ks, up.body.token, ['gone@example.org']);
    expect(rv.body.status).toEqual({ 'kept@example.org': 'published', 'gone@example.org': 'revoked' });
    await ks.background.drain();
    expect(ks.mail.countTo('gone@example.org')).toBe(1); // the first verification only
  });

  it('looks up by fingerprint (any form) and by 16-digit key id; v6 keys too', async () => {
    const v6 = await makeTestKey([{ email: 'six@example.org' }], 6);
    await publishKey(ks, v6.publicArmored, ['six@example.org']);
    expect(v6.fingerprint).toHaveLength(64);
    for (const path of [
      `/vks/v1/by-fingerprint/${v6.fingerprint}`,
      `/vks/v1/by-fingerprint/${v6.fingerprint.toLowerCase()}`,
      `/vks/v1/by-keyid/${v6.fingerprint.slice(0, 16)}`,
      `/vks/v1/by-email/six@example.org`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const key = await openpgp.readKey({ armoredKey: await res.text() });
      expect(key.getFingerprint().toUpperCase()).toBe(v6.fingerprint);
    }
    expect((await get('/vks/v1/by-fingerprint/0123')).status).toBe(400);
    expect((await get(`/vks/v1/by-fingerprint/${'A'.repeat(40)}`)).status).toBe(404);
  });

  it('looks a key up by the fingerprint of any of its subkeys, over VKS, HKP and REST; v6 keys too', async () => {
    for (const [version, email] of [
      [4, 'subkeys@example.org'],
      [6, 'subkeys6@example.org'],
    ] as const) {
      const key = await makeTestKey([{ email }], version, { signingSubkey: true });
      await publishKey(ks, key.publicArmored, [email]);
      const subkeys = await subkeyFingerprintsOf(key.publicArmored);
      expect(subkeys).toHaveLength(2);
      for (const fpr of subkeys) {
        for (const path of [
          `/vks/v1/by-fingerprint/${fpr}`,
          `/pks/lookup?op=get&options=mr&search=0x${fpr}`,
          `/api/v1/key?fingerprint=${fpr.toLowerCase()}`,
        ]) {
          const res = await get(path);
          expect(res.status, path).toBe(200);
          const text = await res.text();
          const armored = path.startsWith('/api/')
            ? (JSON.parse(text) as { publicKeyArmored: string }).publicKeyArmored
            : text;
          const served = await openpgp.readKey({ armoredKey: armored });
          expect(served.getFingerprint().toUpperCase(), path).toBe(key.fingerprint);
          expect(await userIdsOf(armored)).toEqual([`<${email}>`]);
        }
      }
      const index = await (await get(`/pks/lookup?op=index&options=mr&search=0x${subkeys[1]}`)).text();
      expect(index).toContain(`pub:${key.fingerprint}:`);
    }
  });

  it('key-id collision: a fingerprint that shares only its key id with a stored subkey finds nothing', async () => {
    const key = await makeTestKey([{ email: 'collide@example.org' }], 4, { signingSubkey: true });
    await publishKey(ks, key.publicArmored, ['collide@example.org']);
    const [, signing] = await subkeyFingerprintsOf(key.publicArmored);
    // A v4 key id is the fingerprint's low 64 bits: keep them, change the first digit.
    const forged = (signing!.startsWith('0') ? '1' : '0') + signing!.slice(1);
    expect((await get(`/vks/v1/by-keyid/${signing!.slice(-16)}`)).status).toBe(200);
    expect((await get(`/vks/v1/by-fingerprint/${forged}`)).status).toBe(404);
    expect((await get(`/pks/lookup?op=get&search=0x${forged}`)).status).toBe(404);
  });

  it('answers a failed lookup with a plain-text message, and a failed upload with JSON', async () => {
    for (const [path, status, text] of [
      ['/vks/v1/by-fingerprint/0123', 400, /40 hex digits/],
      [`/vks/v1/by-fingerprint/${'A'.repeat(40)}`, 404, /^No key found\.\n$/],
      ['/vks/v1/by-keyid/12345678', 400, /Short key ids/],
      ['/vks/v1/by-email/nobody@example.org', 404, /^No key found\.\n$/],
      ['/vks/v1/by-email/not-an-address', 400, /not an e-mail address/],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/plain/);
      expect(await res.text(), path).toMatch(text);
    }
    const up = await vksUpload(ks, 'not a key');
    expect(up.status).toBe(400);
    expect(up.body.error).toMatch(/not an OpenPGP public key/);
  });

  it('serves a key with no published address by fingerprint, without any user id', async () => {
    const bob = await makeTestKey([{ email: 'bob@example.org' }]);
    await vksUpload(ks, bob.publicArmored);
    const res = await get(`/vks/v1/by-fingerprint/${bob.fingerprint}`);
    expect(res.status).toBe(200);
    expect(await userIdsOf(await res.text())).toEqual([]);
  });

  it('merges an update: a new address needs its own verification, the old one stays published', async () => {
    const carol = await makeTestKey([{ email: 'carol@example.org' }]);
    await publishKey(ks, carol.publicArmored, ['carol@example.org']);
    const updated = await addUserId(carol.privateArmored, { email: 'carol@work.example' });
    const up = await vksUpload(ks, updated.publicArmored);
    expect(up.body.status).toEqual({ 'carol@example.org': 'published', 'carol@work.example': 'unpublished' });
    const served = await (await get(`/vks/v1/by-fingerprint/${carol.fingerprint}`)).text();
    expect(await userIdsOf(served)).toEqual(['<carol@example.org>']);
    expect((await get('/vks/v1/by-email/carol@work.example')).status).toBe(404);
  });

  it('keeps both of two updates that arrive at once (no lost revocation)', async () => {
    const lee = await makeTestKey([{ email: 'lee@example.org' }]);
    await publishKey(ks, lee.publicArmored, ['lee@example.org']);
    const withNewAddress = await addUserId(lee.privateArmored, { email: 'lee@work.example' });
    const revocation = await revokeKey(lee.privateArmored);
    const results = await Promise.all([
      vksUpload(ks, withNewAddress.publicArmored),
      vksUpload(ks, revocation),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const stored = (await ks.store.keys.getKey(Fingerprint.parse(lee.fingerprint)))!;
    expect(stored.emails).toContain('lee@work.example');
    const key = await openpgp.readKey({ binaryKey: stored.packets });
    expect(key.revocationSignatures.length).toBeGreaterThan(0);
  });

  it('keeps serving a revocation after the addresses were removed and the unverified-upload lifetime passed', async () => {
    const max = await makeTestKey([{ email: 'max@example.org' }]);
    await publishKey(ks, max.publicArmored, ['max@example.org']);
    await ks.store.bindings.unpublish(Email.parse('max@example.org'));
    await vksUpload(ks, await revokeKey(max.privateArmored));
    ks.clock.advance((ks.config.UNVERIFIED_TTL_DAYS + 1) * 86_400_000);
    await sweepExpired(ks.store, ks.clock, pino({ level: 'silent' }));
    const res = await get(`/vks/v1/by-fingerprint/${max.fingerprint}`);
    expect(res.status).toBe(200);
    expect(
      (await openpgp.readKey({ armoredKey: await res.text() })).revocationSignatures.length,
    ).toBeGreaterThan(0);
  });

  it('distributes a revocation to everyone who looks the key up', async () => {
    const dave = await makeTestKey([{ email: 'dave@example.org' }]);
    await publishKey(ks, dave.publicArmored, ['dave@example.org']);
    expect((await vksUpload(ks, await revokeKey(dave.privateArmored))).status).toBe(200);
    const key = await openpgp.readKey({
      armoredKey: await (await get('/vks/v1/by-email/dave@example.org')).text(),
    });
    expect(key.revocationSignatures.length).toBeGreaterThan(0);
  });

  it('forgets an upload whose addresses were never verified, and keeps published keys', async () => {
    const unverified = await makeTestKey([{ email: 'never@example.org' }]);
    const verified = await makeTestKey([{ email: 'kept@example.org' }]);
    await vksUpload(ks, unverified.publicArmored);
    await publishKey(ks, verified.publicArmored, ['kept@example.org']);
    const log = pino({ level: 'silent' });
    ks.clock.advance((ks.config.UNVERIFIED_TTL_DAYS - 1) * 86_400_000);
    expect((await sweepExpired(ks.store, ks.clock, log)).keys).toBe(0);
    ks.clock.advance(2 * 86_400_000);
    expect((await sweepExpired(ks.store, ks.clock, log)).keys).toBe(1);
    expect((await get(`/vks/v1/by-fingerprint/${unverified.fingerprint}`)).status).toBe(404);
    expect((await get('/vks/v1/by-email/kept@example.org')).status).toBe(200);
  });

  it('sends a new verification mail at most once per address per hour', async () => {
    const erin = await makeTestKey([{ email: 'erin@example.org' }]);
    const up = await vksUpload(ks, erin.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['erin@example.org']);
    await vksRequestVerify(ks, up.body.token, ['erin@example.org']);
    await ks.mail.next('erin@example.org');
    expect(ks.mail.countTo('erin@example.org')).toBe(1);
    ks.clock.advance(61 * 60_000);
    await vksRequestVerify(ks, up.body.token, ['erin@example.org']);
    await ks.mail.next('erin@example.org', 5000, 1);
    expect(ks.mail.countTo('erin@example.org')).toBe(2);
  });

  it('ignores requested addresses that are not on the key', async () => {
    const frank = await makeTestKey([{ email: 'frank@example.org' }]);
    const up = await vksUpload(ks, frank.publicArmored);
    const rv = await vksRequestVerify(ks, up.body.token, ['victim@example.org']);
    expect(rv.status).toBe(200);
    expect(rv.body.status).toEqual({ 'frank@example.org': 'unpublished' });
    await ks.background.drain();
    expect(ks.mail.countTo('victim@example.org')).toBe(0);
  });

  it('mails the previous holder when a new key takes an address', async () => {
    const old = await makeTestKey([{ email: 'gina@example.org' }]);
    const replacement = await makeTestKey([{ email: 'gina@example.org' }]);
    await publishKey(ks, old.publicArmored, ['gina@example.org']);
    ks.clock.advance(61 * 60_000);
    await publishKey(ks, replacement.publicArmored, ['gina@example.org']);
    const notice = await ks.mail.next('gina@example.org', 5000, 2);
    expect(notice.raw).toMatch(/replaced|new key/i);
    const served = await openpgp.readKey({
      armoredKey: await (await get('/vks/v1/by-email/gina@example.org')).text(),
    });
    expect(served.getFingerprint().toUpperCase()).toBe(replacement.fingerprint);
  });
});

describe('encrypted verification mail', () => {
  it('is PGP/MIME to the uploaded key, so the link also proves the private key', async () => {
    await ks.close();
    ks = await startTestKeyserver({ MAIL_ENCRYPT: 'when-possible' });
    const kim = await makeTestKey([{ email: 'kim@example.org' }]);
    const up = await vksUpload(ks, kim.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['kim@example.org']);
    const mail = await ks.mail.next('kim@example.org');
    expect(mail.raw).toContain('multipart/encrypted');
    expect(mail.raw).not.toMatch(/\/verify\//);
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(mail.raw)![0];
    const decrypted: unknown = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: kim.privateArmored }),
    });
    const link = linkIn({ to: [], raw: (decrypted as { data: string }).data }, '/verify/');
    expect((await confirmLink(link)).status).toBe(200);
    expect((await get('/vks/v1/by-email/kim@example.org')).status).toBe(200);
  });
});
