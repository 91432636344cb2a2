import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from '../../keyserver/test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { confirmLink } from '../../keyserver/test-support/vks-client';
import { createGnuPGHome } from './gnupg';

/** A throwaway GnuPG home (tests/interop/gnupg.ts) whose dirmngr talks to our keyserver over HKP on 127.0.0.1. */
async function gnupgHome(keyserverUrl: string) {
  const home = await createGnuPGHome();
  writeFileSync(join(home.dir, 'dirmngr.conf'), `keyserver ${keyserverUrl.replace(/^http:/, 'hkp:')}\n`);
  const gpg = async (...args: string[]) => {
    // --search-keys in batch mode lists the matches, then exits non-zero because nothing was chosen.
    const r = await home.gpg(args, { passphrase: '', allowFailure: args[0] === '--search-keys' });
    return { stdout: r.stdout.toString(), stderr: r.stderr };
  };
  return { gpg, close: () => home.dispose() };
}

describe('GnuPG 2.2 against the keyserver (HKP)', () => {
  let ks: TestKeyserver;
  let alice: Awaited<ReturnType<typeof gnupgHome>>;
  let bob: Awaited<ReturnType<typeof gnupgHome>>;
  let fingerprint: string;

  beforeAll(async () => {
    ks = await startTestKeyserver();
    alice = await gnupgHome(ks.url);
    bob = await gnupgHome(ks.url);
    await alice.gpg(
      '--passphrase',
      '',
      '--pinentry-mode',
      'loopback',
      '--quick-gen-key',
      'Alice <alice@example.org>',
      'ed25519',
      'default',
      'never',
    );
    const { stdout } = await alice.gpg('--with-colons', '--list-keys', 'alice@example.org');
    fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(stdout)![1]!;
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await ks?.close();
  });

  it('gpg --send-keys succeeds and the address gets a verification mail', async () => {
    const { stderr } = await alice.gpg('--send-keys', fingerprint);
    expect(stderr).toMatch(/sending key/);
    const link = linkIn(await ks.mail.next('alice@example.org'), '/verify/');
    expect((await confirmLink(link)).status).toBe(200);
  });

  it('gpg --recv-keys by fingerprint imports the key with its verified user id', async () => {
    const { stderr } = await bob.gpg('--recv-keys', fingerprint);
    expect(stderr).toMatch(/imported: 1/);
    const { stdout } = await bob.gpg('--with-colons', '--list-keys', fingerprint);
    expect(stdout).toMatch(/^uid:.*Alice <alice@example\.org>/m);
  });

  it('gpg --locate-keys by address finds it through the keyserver', async () => {
    const carol = await gnupgHome(ks.url);
    try {
      const { stdout } = await carol.gpg(
        '--auto-key-locate',
        'clear,keyserver',
        '--locate-keys',
        'alice@example.org',
      );
      expect(stdout.replace(/\s/g, '')).toContain(fingerprint);
    } finally {
      await carol.close();
    }
  });

  it('gpg --search-keys lists the key from the machine-readable index', async () => {
    const { stdout } = await bob.gpg('--search-keys', 'alice@example.org');
    expect(stdout).toContain('Alice <alice@example.org>');
    expect(stdout).toContain(fingerprint.slice(-16));
  });

  it('gpg cannot import a new key whose address is unverified (no user ID is served), but takes updates', async () => {
    const dave = await gnupgHome(ks.url);
    try {
      await dave.gpg(
        '--passphrase',
        '',
        '--pinentry-mode',
        'loopback',
        '--quick-gen-key',
        'dave@example.org',
        'ed25519',
        'default',
        'never',
      );
      const { stdout } = await dave.gpg('--with-colons', '--list-keys', 'dave@example.org');
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(stdout)![1]!;
      await dave.gpg('--send-keys', fpr);
      const erin = await gnupgHome(ks.url);
      try {
        // GnuPG skips a new key without user ids ("contains no user ID - skipped") and imports nothing.
        const { stderr } = await erin.gpg('--recv-keys', fpr);
        expect(stderr).toMatch(/no user ID/);
        await expect(erin.gpg('--list-keys', fpr)).rejects.toThrow();
      } finally {
        await erin.close();
      }
    } finally {
      await dave.close();
    }
  });
});

describe('GnuPG 2.2 finds a key by a subkey (HKP)', () => {
  let ks: TestKeyserver;
  let signer: Awaited<ReturnType<typeof gnupgHome>>;
  let primary: string;
  let signingSubkey: string;
  let dir: string;

  beforeAll(async () => {
    ks = await startTestKeyserver();
    signer = await gnupgHome(ks.url);
    // A certification-only primary key with a signing subkey, as GnuPG users who keep the primary offline have.
    await signer.gpg('--quick-gen-key', 'Sigrid <sigrid@example.org>', 'ed25519', 'cert', 'never');
    primary = /^fpr:+([0-9A-F]{40}):/m.exec(
      (await signer.gpg('--with-colons', '--list-keys', 'sigrid@example.org')).stdout,
    )![1]!;
    await signer.gpg('--quick-add-key', primary, 'ed25519', 'sign', 'never');
    await signer.gpg('--quick-add-key', primary, 'cv25519', 'encr', 'never');
    const listing = (await signer.gpg('--with-colons', '--with-subkey-fingerprints', '--list-keys', primary))
      .stdout;
    // The sub: line with usage "s", then its fpr: line.
    signingSubkey = /^sub:[^\n]*:s:[^\n]*\nfpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
    await signer.gpg('--send-keys', primary);
    expect((await confirmLink(linkIn(await ks.mail.next('sigrid@example.org'), '/verify/'))).status).toBe(
      200,
    );
    dir = mkdtempSync(join(tmpdir(), 'kw-signed-'));
    writeFileSync(join(dir, 'report.txt'), 'Quarterly figures\n');
    // `!` forces this exact subkey; the signature's issuer fingerprint is then the subkey's.
    await signer.gpg(
      '--local-user',
      `${signingSubkey}!`,
      '--detach-sign',
      '--output',
      join(dir, 'report.txt.sig'),
      join(dir, 'report.txt'),
    );
  });

  afterAll(async () => {
    await signer?.close();
    await ks?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gpg --auto-key-retrieve --verify fetches the key of a signature made by its signing subkey', async () => {
    const reader = await gnupgHome(ks.url);
    try {
      const { stderr } = await reader.gpg(
        '--auto-key-retrieve',
        '--verify',
        join(dir, 'report.txt.sig'),
        join(dir, 'report.txt'),
      );
      expect(stderr).toMatch(/Good signature from "Sigrid <sigrid@example\.org>"/);
      expect(stderr.replace(/\s/g, '')).toContain(signingSubkey);
      expect(stderr).not.toMatch(/No public key/);
    } finally {
      await reader.close();
    }
  });

  it('gpg --recv-keys by a subkey fingerprint imports the whole key', async () => {
    const reader = await gnupgHome(ks.url);
    try {
      const { stderr } = await reader.gpg('--recv-keys', signingSubkey);
      expect(stderr).toMatch(/imported: 1/);
      const { stdout } = await reader.gpg('--with-colons', '--list-keys', primary);
      expect(stdout).toMatch(/^uid:.*Sigrid <sigrid@example\.org>/m);
      expect(stdout).toContain(signingSubkey);
    } finally {
      await reader.close();
    }
  });
});
