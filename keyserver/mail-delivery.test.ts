import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from './test-support/keyserver-process';
import { startMailCatcher } from './test-support/mail-catcher';
import { makeTestKey } from './test-support/test-keys';

type Server = Awaited<ReturnType<typeof startKeyserverProcess>>;

/**
 * The durable mail queue across real keyserver processes on one SQLite file: a mail survives kill -9 of the
 * process that queued it, and processes sweeping the same queue send each mail once. Retries are due after a
 * second here (MAIL_RETRY_SECONDS=1), so every process sweeps every second.
 */
describe('mail delivery across keyserver processes', () => {
  let dataDir: string;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let env: Record<string, string>;
  const servers: Server[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyward-mail-'));
    mail = await startMailCatcher();
    env = { DATA_DIR: dataDir, SMTP_URL: mail.url, MAIL_ENCRYPT: 'never', MAIL_RETRY_SECONDS: '1' };
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await mail.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const server = await startKeyserverProcess(env);
    servers.push(server);
    return server;
  };

  /** Uploads a key for `email` and asks for its verification mail, through `server`. */
  async function requestMail(server: Server, email: string): Promise<void> {
    const key = await makeTestKey([{ email }]);
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const { token } = (await (await post('/vks/v1/upload', { keytext: key.publicArmored })).json()) as {
      token: string;
    };
    expect((await post('/vks/v1/request-verify', { token, addresses: [email] })).status).toBe(200);
  }

  /** The queue's rows in the shared SQLite file, read beside the running processes. */
  function queued(): { state: string; attempts: number; claimed: number }[] {
    const db = new Database(join(dataDir, 'keyward.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT state, attempts, lease IS NOT NULL AS claimed FROM mail_queue').all() as {
        state: string;
        attempts: number;
        claimed: number;
      }[];
    } finally {
      db.close();
    }
  }

  async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it(
    'a keyserver killed with a mail queued sends nothing; restarted, it sends the mail once',
    { timeout: 60_000 },
    async () => {
      mail.refuse(451);
      const first = await start();
      await requestMail(first, 'killed@example.org');
      // Killed between attempts: tried once, refused, waiting for its retry. (A sender killed in the middle of an
      // attempt holds its claim until the lease runs out; mail-queue.test.ts moves its clock past that.)
      await until(() => queued().some((row) => row.attempts >= 1 && !row.claimed));
      expect(await first.stop('SIGKILL')).toBe(null);
      expect(mail.countTo('killed@example.org')).toBe(0);
      expect(queued()).toEqual([expect.objectContaining({ state: 'pending' })]);

      mail.refuse(null);
      await start();
      await mail.next('killed@example.org', 15_000);
      // Several more sweeps of the restarted process: nothing is sent again.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(mail.countTo('killed@example.org')).toBe(1);
      expect(queued()).toEqual([]);
    },
  );

  it('two processes sweeping one queue send each mail once', { timeout: 60_000 }, async () => {
    mail.refuse(451);
    const [a, b] = await Promise.all([start(), start()]);
    const addresses = Array.from({ length: 8 }, (_, i) => `pair${i}@example.org`);
    await Promise.all(addresses.map((email, i) => requestMail(i % 2 === 0 ? a : b, email)));
    await until(() => queued().length === 8 && queued().every((row) => row.attempts >= 1 && !row.claimed));
    expect(mail.mails).toHaveLength(0);

    mail.refuse(null);
    await until(() => mail.mails.length >= 8);
    await new Promise((r) => setTimeout(r, 3_000)); // several more sweeps by both
    expect(addresses.map((email) => mail.countTo(email))).toEqual(addresses.map(() => 1));
    expect(mail.mails).toHaveLength(8);
    expect(queued()).toEqual([]);
  });
});
