import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Config } from '../config';
import type { Mailer } from './mailer';
import { createOutboxMailer } from './outbox-mailer';
import { createSmtpMailer } from './smtp-mailer';

/** SMTP when SMTP_URL is set; otherwise the .eml outbox under DATA_DIR, so `npm start` needs no mail server. */
export function createMailer(
  config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'DATA_DIR'>,
  log: Logger,
  clock?: Clock,
): Mailer {
  if (config.SMTP_URL !== undefined) {
    log.info({ mailer: 'smtp' }, 'mails go through the SMTP server in SMTP_URL');
    return createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, log, clock });
  }
  const dir = join(config.DATA_DIR, 'outbox');
  log.info({ mailer: 'outbox', dir }, 'no SMTP_URL: mails are written to the outbox folder, not sent');
  return createOutboxMailer({ dir, from: config.MAIL_FROM, log, clock });
}
