import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from '../../keyserver/test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { confirmLink } from '../../keyserver/test-support/vks-client';

const run = promisify(execFile);

describe('Sequoia sq against the keyserver (HKP)', () => {
  let ks: TestKeyserver;
  let dir: string;
  let fingerprint: string;
  const sq = async (...args: string[]) => {
    const server = ks.url.replace(/^http:/, 'hkp:');
    try {
      return await run('sq', ['keyserver', '--policy', 'insecure', '--server', server, ...args], {
        timeout: 30_000,
      });
    } catch (e) {
      const { stdout, stderr } = e as { stdout: string; stderr: string };
      throw new Error(`sq keyserver ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
    }
  };

  beforeAll(async () => {
    ks = await startTestKeyserver();
    dir = mkdtempSync(join(tmpdir(), 'keyward-sq-'));
    const keyFile = join(dir, 'key.pgp');
    await run('sq', [
      'key',
      'generate',
      '--userid',
      'Sam <sam@example.org>',
      '--cannot-sign',
      '--export',
      keyFile,
    ]);
    const { stdout } = await run('sq', ['inspect', keyFile]);
    fingerprint = /Fingerprint: ([0-9A-F]{40})/.exec(stdout)![1]!;
    await run('sq', ['key', 'extract-cert', '--output', join(dir, 'cert.pgp'), keyFile]);
  });

  afterAll(async () => {
    await ks?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sq keyserver send uploads a key and its address gets a verification mail', async () => {
    await sq('send', join(dir, 'cert.pgp'));
    expect((await confirmLink(linkIn(await ks.mail.next('sam@example.org'), '/verify/'))).status).toBe(200);
  });

  it.each([
    ['fingerprint', () => fingerprint],
    ['address', () => 'sam@example.org'],
  ])('sq keyserver get by %s returns the verified key', async (_name, query) => {
    const { stdout } = await sq('get', query());
    const key = await openpgp.readKey({ armoredKey: stdout });
    expect(key.getFingerprint().toUpperCase()).toBe(fingerprint);
    expect(key.users.map((u) => u.userID?.userID)).toEqual(['Sam <sam@example.org>']);
  });

  it('sq keyserver get by the fingerprint of a signing subkey returns the whole key', async () => {
    // sq's default key: a certification-only primary key with signing, authentication and encryption subkeys.
    const keyFile = join(dir, 'sol.pgp');
    await run('sq', ['key', 'generate', '--userid', 'Sol <sol@example.org>', '--export', keyFile]);
    const inspected = (await run('sq', ['inspect', keyFile])).stdout;
    const primary = /Fingerprint: ([0-9A-F]{40})/.exec(inspected)![1]!;
    const signing = /Subkey: ([0-9A-F]{40})\n(?:.*\n)*?\s*Key flags: signing\n/.exec(inspected)![1]!;
    await run('sq', ['key', 'extract-cert', '--output', join(dir, 'sol-cert.pgp'), keyFile]);
    await sq('send', join(dir, 'sol-cert.pgp'));
    expect((await confirmLink(linkIn(await ks.mail.next('sol@example.org'), '/verify/'))).status).toBe(200);

    const { stdout } = await sq('get', signing);
    const key = await openpgp.readKey({ armoredKey: stdout });
    expect(key.getFingerprint().toUpperCase()).toBe(primary);
    expect(key.subkeys.map((k) => k.getFingerprint().toUpperCase())).toContain(signing);
    expect(key.users.map((u) => u.userID?.userID)).toEqual(['Sol <sol@example.org>']);
  });

  it('sq keyserver get of an unknown address fails cleanly', async () => {
    await expect(sq('get', 'nobody@example.org')).rejects.toThrow(/failed/);
  });
});
