import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fingerprint } from '../../shared/identity';
import { armoredKeyFixture, FIXTURE_NOW } from '../../tests/fixtures/keys/key-fixtures';
import { DEFAULT_KEY_LIMITS, purifyUpload } from '../keys';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import { makeTestKey } from '../test-support/test-keys';
import { publishKey, vksRequestVerify, vksUpload } from '../test-support/vks-client';
import { createAdminCommands } from './admin-commands';

let ks: TestKeyserver;
beforeEach(async () => {
  ks = await startTestKeyserver();
});
afterEach(async () => {
  await ks.close();
});

const admin = () =>
  createAdminCommands({
    store: ks.store,
    clock: ks.clock,
    log: pino({ level: 'silent' }),
    keyLimits: DEFAULT_KEY_LIMITS,
  });

describe('admin commands', () => {
  it('delete unpublishes every address and removes the key', async () => {
    const key = await makeTestKey([{ email: 'gone@example.org' }]);
    const fpr = Fingerprint.parse(await publishKey(ks, key.publicArmored, ['gone@example.org']));
    expect(await admin().deleteKey(fpr)).toEqual({ deleted: true, unpublished: ['gone@example.org'] });
    expect((await fetch(`${ks.url}/vks/v1/by-email/gone@example.org`)).status).toBe(404);
    expect((await fetch(`${ks.url}/vks/v1/by-fingerprint/${fpr}`)).status).toBe(404);
  });

  it('repurify strips what a stored key should not carry (a key stored before the policy existed)', async () => {
    // Plant the flooded fixture as raw bytes, as an older server version might have stored it.
    const flooded = armoredKeyFixture('flooded-certifications');
    const [purified] = await purifyUpload(flooded, DEFAULT_KEY_LIMITS, FIXTURE_NOW);
    // openpgp's declared return types do not resolve under typed linting; the value is { data: Uint8Array }.
    const unarmored: unknown = await openpgp.unarmor(flooded);
    const { data } = unarmored as { data: Uint8Array };
    await ks.store.keys.putKey({
      fingerprint: purified!.fingerprint,
      version: 4,
      keyIds: purified!.keyIds,
      emails: purified!.emails,
      packets: data,
      createdAt: 0,
      updatedAt: 0,
      expiresAt: null,
      revision: 0,
    });
    const before = (await ks.store.keys.getKey(purified!.fingerprint))!.packets.length;
    const totals = await admin().repurifyAll(2);
    expect(totals).toMatchObject({ checked: 1, changed: 1, deleted: 0 });
    const after = (await ks.store.keys.getKey(purified!.fingerprint))!.packets.length;
    expect(after).toBeLessThan(before / 10);
    expect(await admin().repurifyAll()).toMatchObject({ checked: 1, changed: 0 });
  });

  it('the CLI refuses a short id with a clear message and prints usage for unknown commands', async () => {
    const cli = resolve(import.meta.dirname, 'cli.ts');
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', cli, ...args], {
        env: { ...process.env, BASE_URL: '', DATA_DIR: ks.dataDir },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const usage = await run('frobnicate');
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('Usage: npm run admin');
    const short = await run('delete', '4F47E38E');
    expect(short.code).toBe(64);
    expect(short.stderr).toContain('full fingerprint');
    const ok = await run('repurify');
    expect(ok.stdout).toMatch(/Checked 0 keys/);
    expect((await run('mail-failures')).stdout).toBe('0 mails given up on.\n');
  });

  it('lists the mails the queue gave up on, without their text', async () => {
    ks.mail.refuse(550);
    const key = await makeTestKey([{ email: 'bounce@example.org' }]);
    const up = await vksUpload(ks, key.publicArmored);
    await vksRequestVerify(ks, up.body.token, ['bounce@example.org']);
    await ks.background.drain();
    const failures = await admin().mailFailures();
    expect(failures).toEqual([
      expect.objectContaining({
        to: 'bounce@example.org',
        subject: expect.stringContaining('Confirm bounce@example.org') as unknown,
        attempts: 1,
        lastError: 'unavailable rejected EENVELOPE 550',
      }),
    ]);
    expect(JSON.stringify(failures)).not.toContain('/verify/');
  });
});
