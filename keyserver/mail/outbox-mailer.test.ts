import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import { captureLog } from './capture-log.testing';
import { escrowCodeMail } from './escrow-mail-texts';
import { createOutboxMailer } from './outbox-mailer';
import { decryptPgpMime, parseMail } from './parse-mail.testing';

const ALICE = Email.parse('alice@example.org');
const FROM = 'Keyward <keyserver@localhost>';
const LINK = 'http://127.0.0.1:8080/verify#token=dG9rZW4tdGhhdC1pcy1sb25nLWVub3VnaC10by1iZS13cmFwcGVk';

describe('createOutboxMailer', () => {
  let dataDir: string;
  let dir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'keyward-outbox-'));
    dir = join(dataDir, 'outbox');
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes a parseable .eml, readable by its owner only, and logs recipient, subject and links', async () => {
    const clock = manualClock(Date.UTC(2026, 4, 6, 7, 8, 9, 10));
    const { log, entries } = captureLog();
    const mailer = createOutboxMailer({ dir, from: FROM, log, clock });
    const text = `Open this link (it expires):\n\n${LINK}.\n\nOr https://keys.example.org/help, then close.\n`;
    await mailer.send({ to: ALICE, subject: 'Confirm alice@example.org', text });
    await mailer.close();

    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2026-05-06T07-08-09\.010Z-\d{6}-[0-9a-f]{8}\.eml$/);
    const file = join(dir, files[0]!);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const raw = await readFile(file, 'latin1');
    expect(raw).toMatch(/^From: [^\n]*\r\n/); // RFC 5322: CRLF line ends
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const mail = parseMail(raw);
    expect(mail.header('From')).toBe(FROM);
    expect(mail.header('To')).toBe(ALICE);
    expect(mail.header('Subject')).toBe('Confirm alice@example.org');
    expect(mail.header('Date')).toBe('Wed, 06 May 2026 07:08:09 +0000');
    expect(mail.header('MIME-Version')).toBe('1.0');
    expect(mail.text.replace(/\r\n/g, '\n')).toBe(text);

    const line = entries().find((e) => e.msg === 'mail written to outbox');
    expect(line).toMatchObject({
      to: ALICE,
      subject: 'Confirm alice@example.org',
      links: [LINK, 'https://keys.example.org/help'],
      codes: [],
      file,
    });
  });

  it('logs the one-time code of an escrow code mail, even when the mail itself is encrypted', async () => {
    const { log, entries } = captureLog();
    const mailer = createOutboxMailer({ dir, from: FROM, log });
    const { subject, text } = escrowCodeMail({
      baseUrl: 'https://keys.example.org',
      email: ALICE,
      purpose: 'register',
      code: '12345678',
      expiresMinutes: 15,
    });
    await mailer.send({ to: ALICE, subject, text });
    await mailer.close();
    expect(entries().find((e) => e.msg === 'mail written to outbox')).toMatchObject({ codes: ['1234 5678'] });
  });

  it('names files so that sorting by name sorts by time', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1, 23, 59, 59, 999));
    const mailer = createOutboxMailer({ dir, from: FROM, log: captureLog().log, clock });
    await mailer.send({ to: ALICE, subject: 'first', text: '1' });
    await mailer.send({ to: ALICE, subject: 'second, same millisecond', text: '2' });
    clock.advance(1);
    await mailer.send({ to: ALICE, subject: 'third, next day', text: '3' });
    await mailer.close();
    const files = (await readdir(dir)).sort();
    const subjects = await Promise.all(
      files.map(async (f) => parseMail(await readFile(join(dir, f), 'latin1')).header('Subject')),
    );
    expect(subjects).toEqual(['first', 'second, same millisecond', 'third, next day']);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('writes an encrypted mail as PGP/MIME that decrypts to the text with the link', async () => {
    const { privateKey, publicKey } = await generateKey({ userIDs: [{ email: ALICE }], format: 'binary' });
    const mailer = createOutboxMailer({ dir, from: FROM, log: captureLog().log });
    await mailer.send({ to: ALICE, subject: 'Confirm', text: `Open:\n${LINK}\n`, encryptTo: publicKey });
    await mailer.close();
    const [name] = await readdir(dir);
    const raw = await readFile(join(dir, name!), 'latin1');
    expect(parseMail(raw).header('Content-Type')).toMatch(
      /^multipart\/encrypted;.*protocol="application\/pgp-encrypted"/,
    );
    expect((await decryptPgpMime(raw, privateKey)).text).toContain(LINK);
  });

  it('gives unavailable when the outbox cannot be written', async () => {
    await writeFile(dir, 'a file where the folder should be');
    const { log, entries } = captureLog();
    const mailer = createOutboxMailer({ dir, from: FROM, log });
    const error = await mailer.send({ to: ALICE, subject: 'x', text: LINK }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'unavailable')).toBe(true);
    expect(entries().some((e) => e.msg === 'could not write a mail to the outbox')).toBe(true);
    await mailer.close();
  });

  it('mail header injection: a CR/LF subject writes no file', async () => {
    const mailer = createOutboxMailer({ dir, from: FROM, log: captureLog().log });
    const error = await mailer
      .send({ to: ALICE, subject: 'Confirm\r\nBcc: victim@example.net', text: 'x' })
      .catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    await mailer.close();
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });
});
