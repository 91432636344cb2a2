import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { generateKey } from 'openpgp';
import { manualClock } from '../../shared/clock';
import { isKeywardError, type KeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import { captureLog } from './capture-log.testing';
import { decryptPgpMime, parseMail } from './parse-mail.testing';
import { createSmtpMailer } from './smtp-mailer';
import { startTestSmtpServer } from './test-smtp-server.testing';

const ALICE = Email.parse('alice@example.org');
const LINK =
  'http://127.0.0.1:8080/verify#token=c2VjcmV0LXRva2VuLW9mLTEyOC1iaXRzLWF0LWxlYXN0LXNvLWl0LWlzLWxvbmc';
const FROM = 'Keyward <keyserver@keys.example.org>';

async function caught(p: Promise<unknown>): Promise<KeywardError> {
  try {
    await p;
  } catch (e) {
    if (isKeywardError(e)) return e;
    throw e;
  }
  throw new Error('expected a KeywardError');
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createSmtpMailer against a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
  beforeEach(async () => {
    smtp = await startTestSmtpServer({ rejectRecipient: (a) => a.startsWith('nobody@') });
  });
  afterEach(async () => {
    await smtp.close();
  });

  it('delivers a plain mail with the right envelope, headers and body', async () => {
    const clock = manualClock(Date.UTC(2026, 2, 4, 5, 6, 7));
    const { log, entries } = captureLog();
    const mailer = createSmtpMailer({ url: smtp.url, from: FROM, log, clock });
    await mailer.send({
      to: ALICE,
      subject: 'Confirm alice@example.org',
      text: `Hello,\n\nopen this:\n\n${LINK}\n\nBye.\n`,
    });
    await mailer.close();

    expect(smtp.received).toHaveLength(1);
    const [got] = smtp.received;
    expect(got!.from).toBe('keyserver@keys.example.org');
    expect(got!.to).toEqual([ALICE]);
    const mail = parseMail(got!.raw);
    expect(mail.header('From')).toBe(FROM);
    expect(mail.header('To')).toBe(ALICE);
    expect(mail.header('Subject')).toBe('Confirm alice@example.org');
    expect(mail.header('Date')).toBe('Wed, 04 Mar 2026 05:06:07 +0000');
    expect(mail.header('Message-ID')).toMatch(/^<[^<>@\s]+@keys\.example\.org>$/);
    expect(mail.header('Content-Type')).toMatch(/^text\/plain; charset=utf-8$/i);
    expect(mail.text.replace(/\r\n/g, '\n')).toBe(`Hello,\n\nopen this:\n\n${LINK}\n\nBye.\n`);
    expect(entries().some((e) => e.msg === 'mail sent' && e.to === ALICE)).toBe(true);
  });

  it('sends an encrypted mail as PGP/MIME that decrypts to the text with the link', async () => {
    const clock = manualClock();
    const { privateKey, publicKey } = await generateKey({
      userIDs: [{ email: ALICE }],
      format: 'binary',
      date: new Date(clock.now().getTime() - 60_000),
    });
    const mailer = createSmtpMailer({ url: smtp.url, from: FROM, log: captureLog().log, clock });
    await mailer.send({
      to: ALICE,
      subject: 'Confirm',
      text: `Grüße. Open:\n${LINK}\n`,
      encryptTo: publicKey,
    });
    await mailer.close();

    const raw = smtp.received[0]!.raw;
    expect(raw).not.toContain('c2VjcmV0LXRva2Vu'); // the token never travels in clear
    const outer = parseMail(raw);
    expect(outer.header('Subject')).toBe('Confirm');
    expect(outer.header('Content-Type')).toMatch(/^multipart\/encrypted;/);
    expect(outer.header('Content-Type')).toContain('protocol="application/pgp-encrypted"');
    expect(outer.parts).toHaveLength(2);
    expect(outer.parts[0]!.header('Content-Type')).toBe('application/pgp-encrypted');
    expect(outer.parts[0]!.text.trim()).toBe('Version: 1');
    expect(outer.parts[1]!.header('Content-Type')).toMatch(/^application\/octet-stream/);
    expect(outer.parts[1]!.text).toMatch(
      /^-----BEGIN PGP MESSAGE-----\n[\s\S]+-----END PGP MESSAGE-----\n?$/,
    );

    const inner = await decryptPgpMime(raw, privateKey);
    expect(inner.header('Content-Type')).toMatch(/^text\/plain; charset=utf-8$/i);
    expect(inner.text).toContain(LINK);
    expect(inner.text).toContain('Grüße');
  });

  it('refuses to encrypt to a key that cannot receive encryption, before anything is sent', async () => {
    const signOnly = await generateKey({ userIDs: [{ email: ALICE }], subkeys: [], format: 'binary' });
    const mailer = createSmtpMailer({ url: smtp.url, from: FROM, log: captureLog().log });
    const e = await caught(
      mailer.send({ to: ALICE, subject: 'x', text: LINK, encryptTo: signOnly.publicKey }),
    );
    expect(e.code).toBe('invalid_input');
    expect(e.details.reason).toBe('no_encryption_key');
    await mailer.close();
    expect(smtp.received).toHaveLength(0);
  });

  it('turns a refused recipient into unavailable, logs the cause without the body, and keeps working', async () => {
    const { log, entries, raw } = captureLog();
    const mailer = createSmtpMailer({ url: smtp.url, from: FROM, log });
    const e = await caught(mailer.send({ to: Email.parse('nobody@example.org'), subject: 'x', text: LINK }));
    expect(e.code).toBe('unavailable');
    expect(e.message).toBe('The mail server did not accept the message; try again later.');
    // Refused for good (550 to RCPT TO): the mail queue gives up on it instead of retrying.
    expect(e.details).toEqual({ reason: 'rejected', smtpError: 'EENVELOPE', responseCode: 550 });
    const warning = entries().find((l) => l.msg === 'mail server did not accept a mail');
    expect(warning?.cause).toMatchObject({ responseCode: 550 });
    expect(raw()).not.toContain('c2VjcmV0LXRva2Vu');

    await mailer.send({ to: ALICE, subject: 'after a refusal', text: 'still here' });
    await mailer.close();
    expect(smtp.received.map((m) => m.to)).toEqual([[ALICE]]);
  });

  it('delivers several mails at once through the pool', async () => {
    const mailer = createSmtpMailer({ url: smtp.url, from: FROM, log: captureLog().log });
    const to = [1, 2, 3, 4, 5, 6].map((i) => Email.parse(`user${i}@example.org`));
    await Promise.all(to.map((t) => mailer.send({ to: t, subject: `for ${t}`, text: 'hi' })));
    await mailer.close();
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual([...to].sort());
  });

  it('waits for mails in flight on close and refuses new ones after it', async () => {
    const mailer = createSmtpMailer({ url: smtp.url, from: FROM, log: captureLog().log });
    const sending = mailer.send({ to: ALICE, subject: 'in flight', text: 'hi' });
    await mailer.close();
    await sending;
    expect(smtp.received).toHaveLength(1);
    expect((await caught(mailer.send({ to: ALICE, subject: 'late', text: 'hi' }))).code).toBe('unavailable');
  });
});

describe('createSmtpMailer without a working server', () => {
  it('gives unavailable, not a crash, when nothing listens on the port', async () => {
    const { log, entries } = captureLog();
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${await deadPort()}`, from: FROM, log });
    const e = await caught(mailer.send({ to: ALICE, subject: 'x', text: LINK }));
    expect(e.code).toBe('unavailable');
    expect(e.details.reason).toBeUndefined(); // worth another try later
    const err = entries().find((l) => l.msg === 'mail server did not accept a mail')?.cause as {
      message: string;
    };
    expect(err.message).toMatch(/ECONNREFUSED/);
    await mailer.close();
  });

  it('gives unavailable when a server accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // takes the connection, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${port}`,
      from: FROM,
      log: captureLog().log,
      sendTimeoutMs: 300,
    });
    expect((await caught(mailer.send({ to: ALICE, subject: 'x', text: 'y' }))).code).toBe('unavailable');
    await mailer.close();
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
