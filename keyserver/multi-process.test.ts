import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from './test-support/keyserver-process';
import { linkIn, startMailCatcher } from './test-support/mail-catcher';
import { makeTestKey } from './test-support/test-keys';

/**
 * Everything that must hold across keyserver processes lives in the store: two real processes on one SQLite
 * file share tokens, bindings and rate-limit counters.
 */
describe('two keyserver processes on one SQLite file', () => {
  let dataDir: string;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let a: Awaited<ReturnType<typeof startKeyserverProcess>>;
  let b: Awaited<ReturnType<typeof startKeyserverProcess>>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyward-mp-'));
    mail = await startMailCatcher();
    const env = {
      DATA_DIR: dataDir,
      SMTP_URL: mail.url,
      MAIL_ENCRYPT: 'never',
      RATE_LOOKUPS_PER_MINUTE: '4',
    };
    [a, b] = await Promise.all([startKeyserverProcess(env), startKeyserverProcess(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await mail?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a token issued through one process is confirmed through the other', async () => {
    const key = await makeTestKey([{ email: 'two@example.org' }]);
    const up = (await (
      await fetch(`${a.url}/vks/v1/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keytext: key.publicArmored }),
      })
    ).json()) as { token: string };
    // The upload token from A is accepted by B (shared server secret in DATA_DIR).
    const rv = await fetch(`${b.url}/vks/v1/request-verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: up.token, addresses: ['two@example.org'] }),
    });
    expect(rv.status).toBe(200);
    const token = new URL(linkIn(await mail.next('two@example.org'), '/verify/')).pathname;
    expect((await fetch(`${a.url}${token}`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${b.url}${token}`, { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${b.url}/vks/v1/by-email/two@example.org`)).status).toBe(200);
  });

  it('a rate limit counts the requests of both processes', { timeout: 90_000 }, async () => {
    // Windows are whole minutes: start well inside one so all six requests count in the same window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_100 - intoMinute));
    const statuses: number[] = [];
    for (const server of [a, b, a, b, a, b]) {
      statuses.push((await fetch(`${server.url}/vks/v1/by-email/nobody@example.org`)).status);
    }
    // Limit 4 per minute: counted per process, each would allow all three of its requests. Counted in the
    // store, at most 4 pass (3 if the earlier test's lookup fell in this window) and the rest are refused.
    const passed = statuses.filter((s) => s === 404).length;
    expect(passed).toBeLessThanOrEqual(4);
    expect(statuses).toEqual([...Array<number>(passed).fill(404), ...Array<number>(6 - passed).fill(429)]);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await b.stop('SIGTERM')).toBe(0);
  });
});
