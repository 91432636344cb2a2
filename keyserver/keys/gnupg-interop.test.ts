import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import { armoredKeyFixture, FIXTURE_NOW } from '../../tests/fixtures/keys/key-fixtures';
import { armorKey } from './armor-key';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { purifyUpload } from './purify-upload';
import { servableKey } from './servable-key';

const now = FIXTURE_NOW;
const FAKED_TIME = now.toISOString().replace(/[-:]/g, '').slice(0, 15); // 20260101T000000

/**
 * What GnuPG 2.2 (Debian's, here 2.2.40) does with the keys we serve. The lookup code serves a key by fingerprint
 * even when none of its addresses is published, so that revocations reach clients: such a key has no user ID.
 * GnuPG skips a key without user IDs that is new to it ("new key but contains no user ID - skipped", GnuPG T4393),
 * with exit status 0, but merges one into a copy it already has: exactly the revocation case.
 */
describe('GnuPG and the keys we serve', () => {
  if (spawnSync('gpg', ['--version']).status !== 0) {
    throw new Error('GnuPG (gpg) is needed for these tests: apt-get install -y gnupg');
  }
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'all']);
      rmSync(home, { recursive: true, force: true });
    }
  });

  function freshHome(): string {
    const home = mkdtempSync(join(tmpdir(), 'kw-gpg-'));
    chmodSync(home, 0o700);
    homes.push(home);
    return home;
  }

  function gpg(home: string, args: string[], input?: string) {
    const r = spawnSync(
      'gpg',
      ['--homedir', home, '--batch', '--no-tty', '--faked-system-time', `${FAKED_TIME}!`, ...args],
      {
        input,
        encoding: 'utf8',
      },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const alice = async () => (await purifyUpload(armoredKeyFixture('alice-v4'), DEFAULT_KEY_LIMITS, now))[0]!;

  it('imports the purified key and the servable key', async () => {
    const key = await alice();
    for (const packets of [
      key.packets,
      await servableKey(key.packets, [Email.parse('alice@example.org')], now),
    ]) {
      const home = freshHome();
      const imported = gpg(home, ['--import'], armorKey(packets));
      expect(imported.status).toBe(0);
      expect(imported.stderr).toContain('public key "Alice Example <alice@example.org>" imported');
      const listed = gpg(home, ['--with-colons', '--list-keys', key.fingerprint]);
      expect(listed.stdout).toContain(`fpr:::::::::${key.fingerprint}:`);
      expect(listed.stdout).toMatch(/^uid:[^:]*:.*Alice Example <alice@example\.org>/m);
      expect(listed.stdout).toMatch(/^sub:/m);
    }
  });

  it('skips a new key without user IDs, but merges one (carrying a revocation) into a key it has', async () => {
    const key = await alice();
    const secret = await openpgp.readPrivateKey({ armoredKey: armoredKeyFixture('alice-v4.secret') });
    const { publicKey } = await openpgp.revokeKey({
      key: secret,
      date: new Date('2025-06-01'),
      format: 'armored',
    });
    const [revoked] = await purifyUpload(publicKey, DEFAULT_KEY_LIMITS, now);
    const userIdLess = armorKey(await servableKey(revoked!.packets, [], now));

    const newcomer = freshHome();
    const skipped = gpg(newcomer, ['--import'], userIdLess);
    expect(skipped.status).toBe(0); // sic: scripts checking the exit status will not notice
    expect(skipped.stderr).toContain('new key but contains no user ID - skipped');
    expect(gpg(newcomer, ['--list-keys', key.fingerprint]).status).not.toBe(0);

    const holder = freshHome();
    expect(gpg(holder, ['--import'], armorKey(key.packets)).status).toBe(0);
    const merged = gpg(holder, ['--import'], userIdLess);
    expect(merged.status).toBe(0);
    expect(merged.stderr).toContain('revocation certificate added');
    expect(gpg(holder, ['--with-colons', '--list-keys', key.fingerprint]).stdout).toMatch(/^pub:r:/m);
  });
});
