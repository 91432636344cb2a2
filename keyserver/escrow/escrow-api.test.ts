import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import {
  bearer,
  call,
  ESCROW,
  FINGERPRINT,
  login,
  mailedCode,
  register,
  registration,
  VERIFIER,
} from '../test-support/escrow-client';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';

const MINUTE = 60_000;
const alice = 'alice@example.org';
let ks: TestKeyserver;
beforeEach(async () => {
  ks = await startTestKeyserver();
});
afterEach(async () => {
  await ks?.close();
});

describe('escrow: register, log in, fetch', () => {
  it('registers with a mailed code and gives the escrow back to the registering device without a code', async () => {
    const { deviceToken } = await register(ks, 'Alice@Example.org', 'correct horse');
    const session = await login(ks, alice, 'correct horse');
    expect(session.start.body.profile).toBe('argon2id-64m');
    expect(session.finish?.status).toBe(200);
    const fetched = await call(ks, 'POST', '/escrow/fetch', { deviceToken }, bearer(session.sessionToken));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({
      escrow: ESCROW,
      version: 1,
      profile: 'argon2id-64m',
      fingerprint: FINGERPRINT,
    });
    expect(await ks.store.escrow.releases.list(Email.parse(alice))).toMatchObject([
      { kind: 'passphrase', newDevice: false, client: '127.0.0.1' },
    ]);
  });

  it('releases to a new device with the mailed "release" code, mails the holder and writes an audit record', async () => {
    await register(ks, alice, 'pw');
    const { sessionToken } = await login(ks, alice, 'pw');
    const without = await call(ks, 'POST', '/escrow/fetch', {}, bearer(sessionToken));
    expect(without.status).toBe(403);
    expect(without.body.reason).toBe('code_required');
    const code = await mailedCode(ks, alice, 'release');
    const before = ks.mail.countTo(alice);
    const fetched = await call(ks, 'POST', '/escrow/fetch', { code }, bearer(sessionToken));
    expect(fetched.status).toBe(200);
    expect(fetched.body.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const notice = await ks.mail.next(alice, 5000, before);
    expect(notice.raw).toMatch(/Subject: Your key was released to a new device/);
    expect(await ks.store.escrow.releases.list(Email.parse(alice))).toMatchObject([
      { kind: 'passphrase', newDevice: true },
    ]);
    // The new device is known from now on.
    const again = await call(
      ks,
      'POST',
      '/escrow/fetch',
      { deviceToken: fetched.body.deviceToken },
      bearer(sessionToken),
    );
    expect(again.status).toBe(200);
  });

  it('refuses a second account for an address (409 account_exists)', async () => {
    await register(ks, alice, 'pw');
    const code = await mailedCode(ks, alice, 'register');
    const { registrationRecord } = await registration(ks, alice, 'other');
    const second = await call(ks, 'POST', '/accounts', {
      address: alice,
      code,
      registrationRecord,
      profile: 'argon2id-256m',
      fingerprint: FINGERPRINT,
      escrow: ESCROW,
      recoveryVerifier: VERIFIER,
    });
    expect(second.status).toBe(409);
    expect(second.body.reason).toBe('account_exists');
  });

  it('a session expires after 5 minutes', async () => {
    const { deviceToken } = await register(ks, alice, 'pw');
    const { sessionToken } = await login(ks, alice, 'pw');
    ks.clock.advance(5 * MINUTE);
    const late = await call(ks, 'POST', '/escrow/fetch', { deviceToken }, bearer(sessionToken));
    expect(late.status).toBe(401);
    expect(late.body.reason).toBe('unauthorized');
  });
});

describe('escrow: change, recover, delete', () => {
  it('changes the passphrase by compare-and-swap: the old passphrase stops working', async () => {
    await register(ks, alice, 'old pass');
    const { sessionToken } = await login(ks, alice, 'old pass');
    const { registrationRecord } = await registration(ks, alice, 'new pass');
    const put = await call(
      ks,
      'PUT',
      '/escrow',
      { expectedVersion: 1, escrow: ESCROW, registrationRecord },
      bearer(sessionToken),
    );
    expect(put).toMatchObject({ status: 200, body: { version: 2 } });
    expect((await login(ks, alice, 'old pass')).finished).toBe(false);
    expect((await login(ks, alice, 'new pass')).finish?.status).toBe(200);
  });

  it('recovers with the recovery auth and a mailed code, then must set a new passphrase and recovery code', async () => {
    await register(ks, alice, 'forgotten');
    const code = await mailedCode(ks, alice, 'recover');
    const before = ks.mail.countTo(alice);
    const recovered = await call(ks, 'POST', '/recover', { address: alice, recoveryAuth: VERIFIER, code });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({
      escrow: ESCROW,
      version: 1,
      profile: 'argon2id-64m',
      fingerprint: FINGERPRINT,
    });
    expect((await ks.mail.next(alice, 5000, before)).raw).toMatch(/using your recovery code/);
    const token = bearer(recovered.body.recoveryToken);
    const { registrationRecord } = await registration(ks, alice, 'new one');
    const partial = await call(
      ks,
      'PUT',
      '/escrow',
      { expectedVersion: 1, escrow: ESCROW, registrationRecord },
      token,
    );
    expect(partial.status).toBe(400);
    const newVerifier = 'w'.repeat(43);
    const put = await call(
      ks,
      'PUT',
      '/escrow',
      { expectedVersion: 1, escrow: ESCROW, registrationRecord, recoveryVerifier: newVerifier },
      token,
    );
    expect(put).toMatchObject({ status: 200, body: { version: 2 } });
    // The recovery token was single use; the old recovery code is retired; the new passphrase works.
    expect((await call(ks, 'PUT', '/escrow', { expectedVersion: 2, escrow: ESCROW }, token)).status).toBe(
      401,
    );
    const old = await call(ks, 'POST', '/recover', {
      address: alice,
      recoveryAuth: VERIFIER,
      code: await mailedCode(ks, alice, 'recover'),
    });
    expect(old).toMatchObject({ status: 401, body: { reason: 'recovery_failed' } });
    expect((await login(ks, alice, 'new one')).finish?.status).toBe(200);
    expect((await ks.store.escrow.releases.list(Email.parse(alice))).map((r) => r.kind)).toEqual([
      'recovery',
    ]);
  });

  it('deletes the account and its escrow (opt-out)', async () => {
    await register(ks, alice, 'pw');
    const { sessionToken } = await login(ks, alice, 'pw');
    expect((await call(ks, 'DELETE', '/escrow', undefined, bearer(sessionToken))).status).toBe(204);
    expect(await ks.store.escrow.accounts.get(Email.parse(alice))).toBeNull();
    expect((await call(ks, 'POST', '/escrow/fetch', {}, bearer(sessionToken))).status).toBe(401);
    expect((await login(ks, alice, 'pw')).finished).toBe(false);
  });
});

describe('escrow: the hand-over relay', () => {
  const channel = '0123456789abcdef0123456789abcdef';
  it('hands a message out once and then deletes it', async () => {
    expect((await call(ks, 'POST', `/relay/${channel}/offer`, { payload: 'cHVibGljLWtleQ' })).status).toBe(
      201,
    );
    expect(await call(ks, 'GET', `/relay/${channel}/offer`)).toMatchObject({
      status: 200,
      body: { payload: 'cHVibGljLWtleQ' },
    });
    expect((await call(ks, 'GET', `/relay/${channel}/offer`)).status).toBe(404);
  });

  it('deletes an unread message 10 minutes after it was written', async () => {
    await call(ks, 'POST', `/relay/${channel}/reply`, { payload: 'Y2lwaGVydGV4dA' });
    ks.clock.advance(10 * MINUTE);
    expect((await call(ks, 'GET', `/relay/${channel}/reply`)).status).toBe(404);
  });

  it('refuses a second write to a slot, also after the first was picked up', async () => {
    await call(ks, 'POST', `/relay/${channel}/offer`, { payload: 'Zmlyc3Q' });
    const second = await call(ks, 'POST', `/relay/${channel}/offer`, { payload: 'c2Vjb25k' });
    expect(second).toMatchObject({ status: 409, body: { reason: 'slot_taken' } });
    await call(ks, 'GET', `/relay/${channel}/offer`);
    expect((await call(ks, 'POST', `/relay/${channel}/offer`, { payload: 'dGhpcmQ' })).status).toBe(409);
  });

  it('refuses a bad channel, slot or payload with 400', async () => {
    expect((await call(ks, 'POST', `/relay/xyz/offer`, { payload: 'a' })).status).toBe(400);
    expect((await call(ks, 'GET', `/relay/${channel}/other`)).status).toBe(400);
    expect((await call(ks, 'POST', `/relay/${channel}/offer`, { payload: 'not base64url!' })).status).toBe(
      400,
    );
    const big = await call(ks, 'POST', `/relay/${channel}/offer`, { payload: 'a'.repeat(64 * 1024 + 1) });
    expect(big.status).toBe(400);
  });
});
