import * as opaque from '@serenity-kit/opaque';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import {
  bearer,
  call,
  CHEAP_STRETCHING,
  login,
  mailedCode,
  register,
  VERIFIER,
  type Answer,
} from '../test-support/escrow-client';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';

const MINUTE = 60_000;
const alice = 'alice@example.org';
const PASSPHRASE = 'tr0ub4dor & 3 correct horses';
let ks: TestKeyserver;
const others: TestKeyserver[] = [];
beforeEach(async () => {
  ks = await startTestKeyserver({
    RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000',
    RATE_ESCROW_CODES_PER_IP_HOUR: '1000',
  });
});
afterEach(async () => {
  for (const other of others.splice(0)) await other.close();
  await ks?.close();
});

/** Every row of every table, as text: what a thief who copies the database file gets. */
function dumpDatabase(dir: string): string {
  const db = new Database(join(dir, 'keyward.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('escrow attacks', () => {
  it('a stolen database holds nothing that checks a passphrase guess without the OPAQUE setup secret', async () => {
    const { registrationRecord, exportKey } = await register(ks, alice, PASSPHRASE);
    const { sessionToken, exportKey: loginExportKey } = await login(ks, alice, PASSPHRASE);
    expect(loginExportKey).toBe(exportKey);
    const dump = dumpDatabase(ks.dataDir);
    const setup = readFileSync(join(ks.dataDir, 'opaque-server-setup'), 'utf8').trim();
    // No passphrase, no password hash or key derived from it, no setup secret, no bearer token in clear.
    for (const secret of [PASSPHRASE, exportKey, setup, setup.slice(0, 40), String(sessionToken), VERIFIER]) {
      expect(dump).not.toContain(secret);
    }
    const row = new Database(join(ks.dataDir, 'keyward.sqlite'), { readonly: true })
      .prepare('SELECT * FROM escrow_accounts')
      .get() as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(
      [
        'address',
        'created_at',
        'escrow',
        'fingerprint',
        'profile',
        'recovery_verifier_hash',
        'registration_record',
        'updated_at',
        'version',
      ].sort(),
    );
    expect(row.registration_record).toBe(registrationRecord);

    // The same record on a server with another setup secret: the right passphrase no longer logs in, so the
    // record alone cannot confirm any guess.
    const thief = await startTestKeyserver({ OPAQUE_SERVER_SETUP: opaque.server.createSetup() });
    others.push(thief);
    const stolen = await ks.store.escrow.accounts.get(Email.parse(alice));
    await thief.store.escrow.accounts.create(stolen!, 'device');
    const attempt = await login(thief, alice, PASSPHRASE);
    expect(attempt.start.status).toBe(200);
    expect(attempt.finished).toBe(false);
  });

  it('a wrong passphrase fails the login, and a forged finish gets 401 login_failed', async () => {
    await register(ks, alice, PASSPHRASE);
    expect((await login(ks, alice, 'wrong guess')).finished).toBe(false);
    const { startLoginRequest } = opaque.client.startLogin({ password: 'wrong guess' });
    const start = await call(ks, 'POST', '/login/start', { address: alice, startLoginRequest });
    // A client that pretends it succeeded: a finish message made for another login.
    const other = await login(ks, 'bob@example.org', 'x');
    expect(other.finished).toBe(false);
    const forged = await call(ks, 'POST', '/login/finish', {
      loginId: start.body.loginId,
      finishLoginRequest: 'A'.repeat(86),
    });
    expect(forged).toMatchObject({ status: 401, body: { reason: 'login_failed' } });
  });

  it('a login id cannot be replayed', async () => {
    await register(ks, alice, PASSPHRASE);
    const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: PASSPHRASE });
    const start = await call(ks, 'POST', '/login/start', { address: alice, startLoginRequest });
    const result = opaque.client.finishLogin({
      clientLoginState,
      loginResponse: String(start.body.loginResponse),
      password: PASSPHRASE,
      keyStretching: CHEAP_STRETCHING,
    })!;
    const finish = { loginId: start.body.loginId, finishLoginRequest: result.finishLoginRequest };
    expect((await call(ks, 'POST', '/login/finish', finish)).status).toBe(200);
    expect((await call(ks, 'POST', '/login/finish', finish)).status).toBe(401);
  });

  it('online guessing: the 11th login start in 15 minutes is refused (429 locked) and the holder is mailed once', async () => {
    await register(ks, alice, PASSPHRASE);
    const mailsBefore = ks.mail.countTo(alice);
    for (let i = 0; i < 10; i++) expect((await login(ks, alice, `guess ${i}`)).start.status).toBe(200);
    const refused = await login(ks, alice, PASSPHRASE);
    expect(refused.start).toMatchObject({ status: 429, body: { reason: 'locked' } });
    const retry = Number(refused.start.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    const mail = await ks.mail.next(alice, 5000, mailsBefore);
    expect(mail.raw).toMatch(/Subject: Too many passphrase attempts/);
    expect((await login(ks, alice, PASSPHRASE)).start.status).toBe(429);
    await ks.background.drain();
    expect(ks.mail.countTo(alice)).toBe(mailsBefore + 1); // once per lockout
    // After the lockout the right passphrase works again; a second lockout lasts longer.
    ks.clock.advance(15 * MINUTE);
    expect((await login(ks, alice, PASSPHRASE)).finish?.status).toBe(200);
    for (let i = 0; i < 9; i++) await login(ks, alice, `guess ${i}`);
    const again = await login(ks, alice, PASSPHRASE);
    expect(again.start.status).toBe(429);
    expect(Number(again.start.headers.get('retry-after'))).toBeGreaterThan(15 * 60);
  });

  it('online guessing across processes: the limit is counted in the store, not in one process', async () => {
    await register(ks, alice, PASSPHRASE);
    const second = await startTestKeyserver({
      DATA_DIR: ks.dataDir,
      RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000',
    });
    others.push(second);
    for (let i = 0; i < 10; i++) {
      expect((await login(i % 2 === 0 ? ks : second, alice, `guess ${i}`)).start.status).toBe(200);
    }
    expect((await login(second, alice, PASSPHRASE)).start.status).toBe(429);
    expect((await login(ks, alice, PASSPHRASE)).start.status).toBe(429);
  });

  it('recovery guesses count against the same limit', async () => {
    await register(ks, alice, PASSPHRASE);
    for (let i = 0; i < 10; i++) {
      const r = await call(ks, 'POST', '/recover', {
        address: alice,
        recoveryAuth: 'x'.repeat(43),
        code: '12345678',
      });
      expect(r.status).toBe(401);
    }
    expect((await login(ks, alice, PASSPHRASE)).start.status).toBe(429);
  });

  it('a stolen session alone does not release the key to a new device: the mailed code is needed', async () => {
    await register(ks, alice, PASSPHRASE);
    const { sessionToken } = await login(ks, alice, PASSPHRASE);
    const auth = bearer(sessionToken);
    expect((await call(ks, 'POST', '/escrow/fetch', {}, auth)).body.reason).toBe('code_required');
    expect((await call(ks, 'POST', '/escrow/fetch', { deviceToken: 'x'.repeat(43) }, auth)).status).toBe(403);
    const wrong = await call(ks, 'POST', '/escrow/fetch', { code: '00000000' }, auth);
    expect(wrong).toMatchObject({ status: 403, body: { reason: 'code_invalid' } });
    // A code mailed for another purpose does not release.
    const recoverCode = await mailedCode(ks, alice, 'recover');
    expect((await call(ks, 'POST', '/escrow/fetch', { code: recoverCode }, auth)).status).toBe(403);
    expect((await call(ks, 'POST', '/escrow/fetch', {}, bearer('forged'.padEnd(43, 'x')))).status).toBe(401);
  });

  it('a replayed code fails', async () => {
    await register(ks, alice, PASSPHRASE);
    const { sessionToken } = await login(ks, alice, PASSPHRASE);
    const code = await mailedCode(ks, alice, 'release');
    expect((await call(ks, 'POST', '/escrow/fetch', { code }, bearer(sessionToken))).status).toBe(200);
    expect((await call(ks, 'POST', '/escrow/fetch', { code }, bearer(sessionToken))).body.reason).toBe(
      'code_invalid',
    );
  });

  it('an expired code fails, and a newer code supersedes the older', async () => {
    await register(ks, alice, PASSPHRASE);
    const expired = await mailedCode(ks, alice, 'release');
    ks.clock.advance(15 * MINUTE);
    const { sessionToken } = await login(ks, alice, PASSPHRASE);
    expect((await call(ks, 'POST', '/escrow/fetch', { code: expired }, bearer(sessionToken))).status).toBe(
      403,
    );
    const older = await mailedCode(ks, alice, 'release');
    const newer = await mailedCode(ks, alice, 'release');
    expect((await call(ks, 'POST', '/escrow/fetch', { code: older }, bearer(sessionToken))).status).toBe(403);
    expect((await call(ks, 'POST', '/escrow/fetch', { code: newer }, bearer(sessionToken))).status).toBe(200);
  });

  it('guessing a mailed code: it is void after 5 wrong tries', async () => {
    await register(ks, alice, PASSPHRASE);
    const { sessionToken } = await login(ks, alice, PASSPHRASE);
    const code = await mailedCode(ks, alice, 'release');
    const wrong = code === '00000000' ? '00000001' : '00000000';
    for (let i = 0; i < 5; i++)
      await call(ks, 'POST', '/escrow/fetch', { code: wrong }, bearer(sessionToken));
    expect((await call(ks, 'POST', '/escrow/fetch', { code }, bearer(sessionToken))).status).toBe(403);
  });

  describe('account enumeration: unknown accounts answer exactly like known ones', () => {
    const comparable = (a: Answer) => ({
      status: a.status,
      body: a.body,
      headers: [...a.headers.entries()].filter(([name]) => name !== 'date'),
    });

    it('for code requests (nothing is mailed to an unknown address for release or recover)', async () => {
      await register(ks, alice, PASSPHRASE);
      for (const purpose of ['release', 'recover', 'register']) {
        const known = await call(ks, 'POST', '/codes', { address: alice, purpose });
        const unknown = await call(ks, 'POST', '/codes', { address: 'nobody@example.org', purpose });
        expect(comparable(unknown)).toEqual(comparable(known));
      }
      await ks.background.drain();
      expect(ks.mail.countTo('nobody@example.org')).toBe(1); // only the register code
    });

    it('for login starts (same fields, same sizes, the default profile)', async () => {
      await register(ks, alice, PASSPHRASE);
      await ks.store.escrow.accounts.update(Email.parse(alice), 1, {
        escrow: 'x',
        profile: 'argon2id-256m',
        updatedAt: 0,
      });
      const start = async (address: string) => {
        const { startLoginRequest } = opaque.client.startLogin({ password: PASSPHRASE });
        return call(ks, 'POST', '/login/start', { address, startLoginRequest });
      };
      const known = await start(alice);
      const unknown = await start('nobody@example.org');
      const shape = (a: Answer) => ({
        ...comparable(a),
        headers: comparable(a).headers.filter(([name]) => name !== 'content-length'),
        body: Object.fromEntries(
          Object.entries(a.body).map(([k, v]) => [k, k === 'profile' ? v : String(v).length]),
        ),
      });
      expect(shape(unknown)).toEqual(shape(known));
      expect(known.headers.get('content-length')).toBe(unknown.headers.get('content-length'));
    });

    it('for recovery attempts', async () => {
      await register(ks, alice, PASSPHRASE);
      const attempt = { recoveryAuth: VERIFIER, code: '12345678' };
      const known = await call(ks, 'POST', '/recover', { address: alice, ...attempt });
      const unknown = await call(ks, 'POST', '/recover', { address: 'nobody@example.org', ...attempt });
      expect(known.status).toBe(401);
      expect(comparable(unknown)).toEqual(comparable(known));
    });
  });

  it('compare-and-swap refuses a stale update (409 stale) and keeps the newer escrow', async () => {
    await register(ks, alice, PASSPHRASE);
    const { sessionToken } = await login(ks, alice, PASSPHRASE);
    const armored = (n: number) => `-----BEGIN PGP MESSAGE-----\n\nversion ${n}\n-----END PGP MESSAGE-----\n`;
    expect(
      (await call(ks, 'PUT', '/escrow', { expectedVersion: 1, escrow: armored(2) }, bearer(sessionToken)))
        .status,
    ).toBe(200);
    const stale = await call(
      ks,
      'PUT',
      '/escrow',
      { expectedVersion: 1, escrow: armored(3) },
      bearer(sessionToken),
    );
    expect(stale).toMatchObject({ status: 409, body: { reason: 'stale' } });
    expect((await ks.store.escrow.accounts.get(Email.parse(alice)))!.escrow).toBe(armored(2));
  });

  it('a code mail flood is refused per address (429 with Retry-After)', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await call(ks, 'POST', '/codes', { address: alice, purpose: 'register' }));
    expect(answers.slice(0, 5).every((a) => a.status === 202)).toBe(true);
    expect(answers[5]!.status).toBe(429);
    expect(Number(answers[5]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

it('an OPRF oracle through registration starts is limited per address (429 after 10 an hour)', async () => {
  const statuses = [];
  for (let i = 0; i < 11; i++) {
    const { registrationRequest } = opaque.client.startRegistration({ password: `guess ${i}` });
    statuses.push(
      (await call(ks, 'POST', '/register/start', { address: alice, registrationRequest })).status,
    );
  }
  expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
});
