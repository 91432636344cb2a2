import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startKeyserverProcess } from './test-support/keyserver-process';
import { linkIn, startMailCatcher } from './test-support/mail-catcher';
import { makeTestKey, type TestKey } from './test-support/test-keys';

/**
 * Crash safety: the keyserver is killed with SIGKILL (no shutdown code runs) while uploads and verifications
 * stream in. After a restart on the same data folder, every write it acknowledged is there, and the store is
 * consistent: SQLite's integrity check passes and each address is bound to at most one key.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'keyward-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const KEYS = 48;

it('every acknowledged upload and verification survives kill -9', { timeout: 120_000 }, async () => {
  const mail = await startMailCatcher();
  const env = {
    DATA_DIR: dataDir,
    SMTP_URL: mail.url,
    MAIL_ENCRYPT: 'never',
    RATE_UPLOADS_PER_HOUR: '100000',
    RATE_VERIFY_MAILS_PER_IP_HOUR: '100000',
    RATE_LOOKUPS_PER_MINUTE: '100000',
  };
  // Two keys per address: the second verification of an address replaces the first, so bindings churn too.
  const keys: TestKey[] = await Promise.all(
    Array.from({ length: KEYS }, (_, i) => makeTestKey([{ email: `crash${i % (KEYS / 2)}@example.org` }])),
  );
  const server = await startKeyserverProcess(env);
  const uploaded = new Set<string>();
  const verified: { email: string; fingerprint: string; at: number }[] = [];
  let killed = false;

  async function publish(key: TestKey, index: number): Promise<void> {
    const email = `crash${index % (KEYS / 2)}@example.org`;
    const up = await fetch(`${server.url}/vks/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keytext: key.publicArmored }),
    });
    if (up.status !== 200) return;
    uploaded.add(key.fingerprint);
    const { token } = (await up.json()) as { token: string };
    const asked = await fetch(`${server.url}/vks/v1/request-verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, addresses: [email] }),
    });
    if (asked.status !== 200) return;
    const link = new URL(linkIn(await mail.next(email, 5000, index >= KEYS / 2 ? 1 : 0), '/verify/'));
    const confirmed = await fetch(`${server.url}${link.pathname}`, { method: 'POST' });
    if (confirmed.status === 200) verified.push({ email, fingerprint: key.fingerprint, at: Date.now() });
  }

  // A stream of publications, a few at a time; the kill lands in the middle of it.
  const stream = (async () => {
    for (let i = 0; i < KEYS && !killed; i += 4) {
      await Promise.all(
        keys.slice(i, i + 4).map((key, j) => publish(key, i + j).catch(() => undefined)), // cut off by the kill
      );
    }
  })();
  // Killed while writes are in flight: once a quarter of the keys are verified, with more uploads under way.
  let streamEnded = false;
  void stream.finally(() => (streamEnded = true));
  while (verified.length < KEYS / 4 && !streamEnded) await new Promise((r) => setTimeout(r, 5));
  killed = true;
  expect(await server.stop('SIGKILL')).toBe(null); // killed by the signal, no exit code
  await stream;
  expect(uploaded.size).toBeLessThan(KEYS); // the kill did cut the stream short

  const restarted = await startKeyserverProcess(env);
  try {
    for (const fingerprint of uploaded) {
      const r = await fetch(`${restarted.url}/vks/v1/by-fingerprint/${fingerprint}`);
      // Stored, whether or not an address was verified yet (unverified keys are served without user ids).
      expect(r.status, `acknowledged upload ${fingerprint}`).toBe(200);
    }
    // The newest acknowledged verification of each address is the one published.
    const latest = new Map<string, string>();
    for (const v of verified.sort((a, b) => a.at - b.at)) latest.set(v.email, v.fingerprint);
    for (const [email, fingerprint] of latest) {
      const r = await fetch(`${restarted.url}/vks/v1/by-email/${email}`);
      expect(r.status, `acknowledged verification of ${email}`).toBe(200);
      const served = await fetch(`${restarted.url}/vks/v1/by-fingerprint/${fingerprint}`);
      expect(await served.text()).toBe(await r.text());
    }
  } finally {
    await restarted.stop();
    await mail.close();
  }

  const db = new Database(join(dataDir, 'keyward.sqlite'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const perAddress = db
      .prepare('SELECT email, COUNT(*) AS n FROM bindings GROUP BY email HAVING n > 1')
      .all();
    expect(perAddress).toEqual([]);
    // Every binding points at a stored key.
    const dangling = db
      .prepare(
        'SELECT b.email FROM bindings b LEFT JOIN keys k ON k.fingerprint = b.fingerprint WHERE k.fingerprint IS NULL',
      )
      .all();
    expect(dangling).toEqual([]);
  } finally {
    db.close();
  }
});
