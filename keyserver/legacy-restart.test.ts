import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, openRelease, releaseAnswerSchema } from '../shared/legacy';
import type { UnlockedKey } from '../shared/openpgp';
import { legacyCall, proofBy, subjectOf, uploadOf } from './test-support/legacy-calls';
import { startKeyserverProcess } from './test-support/keyserver-process';
import { startMailCatcher } from './test-support/mail-catcher';
import { makeTestKey } from './test-support/test-keys';
import { publishKey } from './test-support/vks-client';

type Server = Awaited<ReturnType<typeof startKeyserverProcess>>;

const OWNER = 'owner@example.org';
const TRUSTED = 'trusted@example.org';
const WAITING_DAYS = 3;

/**
 * Digital legacy's scheduler across real keyserver processes on one SQLite file, their clocks moved together
 * (shifted-clock.ts): two processes remind the owner once, processes killed mid-wait lose nothing, and the two
 * started afterwards release once. Each process sweeps every second (LEGACY_SWEEP_SECONDS=1).
 */
describe('digital legacy across keyserver processes and restarts', () => {
  let dataDir: string;
  let clockFile: string;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let env: Record<string, string>;
  const servers: Server[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyward-legacy-'));
    clockFile = join(dataDir, 'clock-shift');
    writeFileSync(clockFile, '0');
    mail = await startMailCatcher();
    env = {
      DATA_DIR: dataDir,
      SMTP_URL: mail.url,
      MAIL_ENCRYPT: 'never',
      MAIL_RETRY_SECONDS: '1',
      LEGACY_SWEEP_SECONDS: '1',
      RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000',
    };
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await mail.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const server = await startKeyserverProcess(env, { clockFile });
    servers.push(server);
    return server;
  };
  const moveClock = (ms: number) => writeFileSync(clockFile, String(ms));

  /** The grant's row and the mail queue, read beside the running processes. */
  function state(grantId: string): {
    notices: string;
    lease: string | null;
    request: string;
    queued: number;
  } {
    const db = new Database(join(dataDir, 'keyward.sqlite'), { readonly: true });
    try {
      const row = db
        .prepare('SELECT notices, lease, request FROM legacy_grants WHERE id = ?')
        .get(grantId) as {
        notices: string;
        lease: string | null;
        request: string;
      };
      const { n } = db.prepare('SELECT count(*) AS n FROM mail_queue').get() as { n: number };
      return { ...row, queued: n };
    } finally {
      db.close();
    }
  }

  /** Nothing owed, nothing claimed, nothing waiting to be sent: no mail about this grant can still come. */
  const settled = (grantId: string, requestState: string) => {
    const s = state(grantId);
    return (
      s.notices === '[]' &&
      s.lease === null &&
      s.queued === 0 &&
      s.request.includes(`"state":"${requestState}"`)
    );
  };

  async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const subjectsTo = (to: string) => mail.mails.filter((m) => m.to.includes(to)).map((m) => subjectOf(m));

  it(
    'two processes remind once; killed mid-wait, the next two release once, and the trusted person gets in',
    { timeout: 120_000 },
    async () => {
      const [a, b] = await Promise.all([start(), start()]);
      const [owner, trusted] = await Promise.all([
        makeTestKey([{ email: OWNER }]),
        makeTestKey([{ email: TRUSTED }]),
      ]);
      await publishKey({ url: a.url, mail }, owner.publicArmored, [OWNER]);
      const grantId = randomBytes(16).toString('hex');
      const parties = { owner, ownerAddress: OWNER, trusted, trustedAddress: TRUSTED };
      const clock = { now: () => new Date() }; // the processes' clocks are not moved yet
      const created = await legacyCall(
        a,
        'POST',
        '/grants',
        await uploadOf({ clock }, parties, { grantId, waitingDays: WAITING_DAYS }),
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const asked = await legacyCall(b, 'POST', `/grants/${grantId}/request`, {
        proof: await proofBy(b, trusted, { action: 'request', grantId }),
      });
      expect(asked.status, JSON.stringify(asked.body)).toBe(200);
      await until(() => settled(grantId, 'pending'));
      expect(subjectsTo(OWNER).filter((s) => s.includes('asked for access'))).toHaveLength(1);

      // A day before the end, both processes sweep: one reminder.
      moveClock((WAITING_DAYS - 1) * DAY_MS + 60_000);
      await until(() => subjectsTo(OWNER).some((s) => s.startsWith('Reminder')));
      await until(() => settled(grantId, 'pending'));
      expect(subjectsTo(OWNER).filter((s) => s.startsWith('Reminder'))).toHaveLength(1);

      // Both die mid-wait; the waiting period ends while no keyserver runs.
      expect(await a.stop('SIGKILL')).toBe(null);
      expect(await b.stop('SIGKILL')).toBe(null);
      moveClock(WAITING_DAYS * DAY_MS + 60_000);
      expect(subjectsTo(TRUSTED)).toEqual([]);

      // Two new processes: the release happens once, each of its mails goes out once.
      const [c, d] = await Promise.all([start(), start()]);
      await until(() => settled(grantId, 'released'));
      expect(subjectsTo(TRUSTED).filter((s) => s.startsWith('You now have access'))).toHaveLength(1);
      expect(subjectsTo(OWNER).filter((s) => s.includes('now has access'))).toHaveLength(1);
      expect(subjectsTo(OWNER).filter((s) => s.startsWith('Reminder'))).toHaveLength(1);

      // The trusted person fetches through either process and opens the owner's key with theirs.
      const fetched = await legacyCall(d, 'POST', `/grants/${grantId}/payload`, {
        proof: await proofBy(d, trusted, { action: 'fetch', grantId }),
      });
      expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
      const opened = await openRelease({
        release: releaseAnswerSchema.parse(fetched.body),
        trustedKey: trusted.privateArmored as UnlockedKey,
        expectedOwnerFingerprint: owner.fingerprint,
        now: new Date(Date.now() + WAITING_DAYS * DAY_MS),
      });
      const key = await openpgp.readPrivateKey({ armoredKey: opened.ownerKey });
      expect(key.getFingerprint().toUpperCase()).toBe(owner.fingerprint);
      expect(c.url).not.toBe(d.url);
    },
  );
});
