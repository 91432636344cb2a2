import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import { captureLog } from './capture-log.testing';
import { createMailer } from './create-mailer';
import { startTestSmtpServer } from './test-smtp-server.testing';

const ALICE = Email.parse('alice@example.org');
const MAIL_FROM = 'Keyward <keyserver@localhost>';

describe('createMailer', () => {
  let DATA_DIR: string;
  beforeEach(async () => {
    DATA_DIR = await mkdtemp(join(tmpdir(), 'keyward-mailer-'));
  });
  afterEach(async () => {
    await rm(DATA_DIR, { recursive: true, force: true });
  });

  it('writes to DATA_DIR/outbox when no SMTP_URL is set', async () => {
    const mailer = createMailer({ MAIL_FROM, DATA_DIR }, captureLog().log);
    await mailer.send({ to: ALICE, subject: 'hi', text: 'hi' });
    await mailer.close();
    expect(await readdir(join(DATA_DIR, 'outbox'))).toHaveLength(1);
  });

  it('sends through SMTP_URL when set, and never logs the URL (it may carry a password)', async () => {
    const smtp = await startTestSmtpServer();
    try {
      const { log, raw } = captureLog();
      const SMTP_URL = smtp.url.replace('smtp://', 'smtp://user:s3cret-pass@');
      const mailer = createMailer({ SMTP_URL, MAIL_FROM, DATA_DIR }, log);
      // The test server refuses every login: the failure is logged, the password is not.
      const error = await mailer.send({ to: ALICE, subject: 'hi', text: 'hi' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unavailable' });
      expect(raw()).toContain('EAUTH');
      await mailer.close();
      expect(raw()).not.toContain('s3cret-pass');
      const plain = createMailer({ SMTP_URL: smtp.url, MAIL_FROM, DATA_DIR }, log);
      await plain.send({ to: ALICE, subject: 'hi', text: 'hi' });
      await plain.close();
      expect(smtp.received.map((m) => m.to)).toEqual([[ALICE]]);
      expect(await readdir(DATA_DIR)).toEqual([]);
    } finally {
      await smtp.close();
    }
  });
});
