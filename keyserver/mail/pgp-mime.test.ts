import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeywardError } from '../../shared/errors';
import { decryptPgpMime, parseMail } from './parse-mail.testing';
import { encryptToPgpMime } from './pgp-mime';

const LINK = 'https://keys.example.org/verify#token=Zm9yLWdudXBnLW9ubHktdGhpcy10b2tlbi1pcy1sb25n';
const NOW = new Date(Date.UTC(2026, 0, 1));
const input = (recipientKey: Uint8Array, date = NOW) => ({
  from: 'Keyward <keys@example.org>',
  to: 'bob@example.org',
  subject: 'Confirm bob@example.org',
  text: `Hello Bob,\n\nopen this:\n\n${LINK}\n`,
  date,
  recipientKey,
});

describe('encryptToPgpMime', () => {
  describe('with GnuPG as the receiving client', () => {
    let home: string;
    const gpg = (args: string[], stdin?: Buffer) =>
      execFileSync('gpg', ['--homedir', home, '--batch', '--no-tty', ...args], {
        input: stdin,
        stdio: 'pipe',
      });
    beforeAll(() => {
      home = mkdtempSync(join(tmpdir(), 'keyward-gpg-'));
      // Explicit algorithms: 'default' and 'future-default' differ between GnuPG versions (RSA, v5 keys).
      const batch = ['--pinentry-mode', 'loopback', '--passphrase', ''];
      gpg([...batch, '--quick-gen-key', 'bob@example.org', 'ed25519', 'cert,sign', 'never']);
      const fpr = /^fpr:{9}([0-9A-F]+):/m.exec(
        gpg(['--with-colons', '--list-keys', 'bob@example.org']).toString(),
      )![1]!;
      gpg([...batch, '--quick-add-key', fpr, 'cv25519', 'encr', 'never']);
    });
    afterAll(() => {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'all']);
      rmSync(home, { recursive: true, force: true });
    });

    it('writes a mail GnuPG decrypts to the inner text part with the link', async () => {
      const publicKey = gpg(['--export', 'bob@example.org']);
      const raw = await encryptToPgpMime(input(new Uint8Array(publicKey), new Date()));
      const armored = parseMail(raw).parts[1]!.text;
      const inner = parseMail(
        gpg(['--pinentry-mode', 'loopback', '--passphrase', '', '--decrypt'], Buffer.from(armored)),
      );
      expect(inner.header('Content-Type')).toMatch(/^text\/plain; charset=utf-8$/i);
      expect(inner.text).toContain(LINK);
    });
  });

  it('encrypts to a v6 key (RFC 9580) too', async () => {
    const { privateKey, publicKey } = await generateKey({
      userIDs: [{ email: 'bob@example.org' }],
      format: 'binary',
      date: NOW,
      config: { v6Keys: true },
    });
    const inner = await decryptPgpMime(await encryptToPgpMime(input(publicKey)), privateKey);
    expect(inner.text).toContain(LINK);
  });

  it('puts From, To, Subject, Date and the RFC 3156 structure on the outer message', async () => {
    const { publicKey } = await generateKey({
      userIDs: [{ email: 'bob@example.org' }],
      format: 'binary',
      date: NOW,
    });
    const mail = parseMail(await encryptToPgpMime(input(publicKey)));
    expect(mail.header('From')).toBe('Keyward <keys@example.org>');
    expect(mail.header('To')).toBe('bob@example.org');
    expect(mail.header('Subject')).toBe('Confirm bob@example.org');
    expect(mail.header('Date')).toBe('Thu, 01 Jan 2026 00:00:00 +0000');
    expect(mail.header('Content-Type')).toMatch(
      /^multipart\/encrypted; protocol="application\/pgp-encrypted";/,
    );
    expect(mail.parts.map((p) => p.header('Content-Type'))).toEqual([
      'application/pgp-encrypted',
      'application/octet-stream; name=encrypted.asc',
    ]);
    expect(mail.parts[0]!.text).toBe('Version: 1\n');
  });

  it.each([
    [
      'a sign-only key',
      'no_encryption_key',
      () =>
        generateKey({ userIDs: [{ email: 'bob@example.org' }], subkeys: [], format: 'binary', date: NOW }),
    ],
    [
      'a key expired at the injected time',
      'no_encryption_key',
      () =>
        generateKey({
          userIDs: [{ email: 'bob@example.org' }],
          keyExpirationTime: 3600,
          format: 'binary',
          date: new Date(NOW.getTime() - 7200_000),
        }),
    ],
    [
      'garbage',
      'key_unreadable',
      () => Promise.resolve({ publicKey: new TextEncoder().encode('not a key') }),
    ],
  ])('refuses %s with invalid_input and a reason the caller can act on', async (_name, reason, makeKey) => {
    const { publicKey } = await makeKey();
    const error = await encryptToPgpMime(input(publicKey)).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({ reason });
  });
});
