import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLog } from '../mail/capture-log.testing';
import { linkIn } from '../test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import { makeTestKey } from '../test-support/test-keys';
import { vksRequestVerify, vksUpload } from '../test-support/vks-client';
import { redactedPath } from './access-log';

describe('redactedPath', () => {
  it.each([
    ['/', '/'],
    ['/no/such/page', '/no/such/page'],
    [`/verify/${'A'.repeat(43)}/extra`, '/verify/:redacted'],
    [`/VERIFY/${'A'.repeat(43)}`, '/VERIFY/:redacted'],
    ['/manage/abc', '/manage/:redacted'],
    [`/escrow/v1/relay/${'a'.repeat(32)}`, '/escrow/v1/relay/:redacted'],
    [`/legacy/requests/${'a'.repeat(32)}/x`, '/legacy/requests/:redacted'],
    [`/elsewhere/${'B'.repeat(43)}/x`, '/elsewhere/:redacted/x'],
    [`/%76erify/${'C'.repeat(10)}`, '/verify/:redacted'], // percent-encoded to dodge the prefix rule
    [`/x/${'D'.repeat(12)}%41%41%41%41%41`, '/x/:redacted'], // or to split a token
    ['/pks/alice@example.org.and.more', '/pks/:redacted'],
    [`/%E0%A4%A/${'E'.repeat(20)}`, '/%E0%A4%A/:redacted'], // a malformed escape
  ])('%s -> %s', (path, expected) => {
    expect(redactedPath(path)).toBe(expected);
  });

  it('cuts a long path short', () => {
    expect(redactedPath(`/${'a/'.repeat(200)}`).length).toBeLessThanOrEqual(201);
  });
});

describe('the access log', () => {
  let ks: TestKeyserver;
  let logged: ReturnType<typeof captureLog>;
  beforeEach(async () => {
    logged = captureLog();
    ks = await startTestKeyserver({}, { log: logged.log });
  });
  afterEach(async () => {
    await ks.close();
  });

  const requests = () => logged.entries().filter((e) => e.msg === 'request');

  it('writes one line per request: method, route pattern, status, time and client', async () => {
    await fetch(`${ks.url}/vks/v1/by-email/someone@example.org`);
    await fetch(`${ks.url}/nothing/here`);
    const [lookup, probe] = requests();
    expect(lookup).toMatchObject({ method: 'GET', route: '/vks/v1/by-email/:email', status: 404 });
    expect(lookup!.ms).toEqual(expect.any(Number));
    expect(lookup!.client).toMatch(/127\.0\.0\.1$/);
    expect(lookup).not.toHaveProperty('path');
    expect(probe).toMatchObject({ method: 'GET', route: 'unmatched', path: '/nothing/here', status: 404 });
    expect(requests()).toHaveLength(2);
    expect(logged.raw()).not.toContain('someone@example.org'); // what was looked up is not logged
  });

  it('token leak: no token of any token-bearing route ever reaches the log', async () => {
    const secrets: string[] = [];
    const call = async (path: string, init: RequestInit = {}) => {
      await fetch(`${ks.url}${path}`, init);
    };
    const token = (mailPath: '/verify/' | '/manage/', mail: Awaited<ReturnType<typeof ks.mail.next>>) => {
      const t = new URL(linkIn(mail, mailPath)).pathname.slice(mailPath.length);
      secrets.push(t);
      return t;
    };

    // Verification links, and the upload token (a JSON body, never logged).
    const key = await makeTestKey([{ email: 'leak@example.org' }]);
    const up = await vksUpload(ks, key.publicArmored);
    secrets.push(up.body.token);
    await vksRequestVerify(ks, up.body.token, ['leak@example.org']);
    const verify = token('/verify/', await ks.mail.next('leak@example.org'));
    // Removal links (mailed after a removal request for the now published address).
    await call(`/verify/${verify}`);
    await call(`/verify/${verify}`, { method: 'POST' });
    await call(`/verify/${verify}`, { method: 'POST' }); // replayed: 403
    await call('/manage', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=leak%40example.org',
    });
    const manage = token('/manage/', await ks.mail.next('leak@example.org', 5000, 1));
    for (const [prefix, t] of [
      ['/verify/', verify],
      ['/manage/', manage],
    ] as const) {
      await call(`${prefix}${t}`);
      await call(`${prefix}${t}/`); // the router takes a trailing slash too
      await call(`${prefix}${t}/extra`); // unmatched
      await call(`${prefix}${t}`, { method: 'PUT' }); // no such method
      await call(`${prefix.toUpperCase()}${t}`);
      await call(`${prefix}${encodeURIComponent(t).replace(/A/g, '%41')}`);
    }
    await call(`/manage/${manage}`, { method: 'POST' });

    // The hand-over relay's channel, and an escrow session in Authorization.
    const channel = randomBytes(16).toString('hex');
    const session = randomBytes(32).toString('base64url');
    secrets.push(channel, session);
    await call(`/escrow/v1/relay/${channel}/offer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: 'AAAA' }),
    });
    await call(`/escrow/v1/relay/${channel}/offer`);
    await call(`/escrow/v1/relay/${channel}/nonsense`);
    await call('/escrow/v1/escrow/fetch', {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: '{}',
    });

    // A digital-legacy request page (grant and request ids name who asked whom) and a challenge in a body.
    const grantId = randomBytes(16).toString('hex');
    const requestId = randomBytes(16).toString('hex');
    secrets.push(grantId, requestId);
    await call(`/legacy/requests/${grantId}/${requestId}`);
    await call(`/legacy/requests/${grantId}/${requestId}/more`);
    await call(`/legacy/v1/grants/${grantId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: '{}',
    });

    // Any secret put where no route expects one: a query string, an unknown path.
    const stray = randomBytes(32).toString('base64url');
    secrets.push(stray);
    await call(`/vks/v1/by-email/x@example.org?token=${stray}`);
    await call(`/no-route/${stray}`);

    await ks.background.drain();
    const raw = logged.raw();
    expect(requests().length).toBeGreaterThanOrEqual(25);
    for (const secret of secrets) expect(raw, secret).not.toContain(secret);
    // The log still says which routes were asked, and what came back.
    expect(requests()).toContainEqual(
      expect.objectContaining({ method: 'POST', route: '/verify/:token', status: 200 }),
    );
    expect(requests()).toContainEqual(
      expect.objectContaining({ method: 'POST', route: '/verify/:token', status: 403 }),
    );
    expect(requests()).toContainEqual(
      expect.objectContaining({ route: 'unmatched', path: '/verify/:redacted' }),
    );
    expect(requests()).toContainEqual(
      expect.objectContaining({ method: 'GET', route: '/escrow/v1/relay/:channel/:slot', status: 200 }),
    );
    expect(requests()).toContainEqual(
      expect.objectContaining({ method: 'GET', route: '/legacy/requests/:grantId/:requestId', status: 404 }),
    );
  });

  it('can be turned off with ACCESS_LOG=false', async () => {
    await ks.close();
    logged = captureLog();
    ks = await startTestKeyserver({ ACCESS_LOG: 'false' }, { log: logged.log });
    await fetch(`${ks.url}/healthz`);
    expect(requests()).toEqual([]);
  });
});
