import { createTransport, type SendMailOptions } from 'nodemailer';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../shared/clock';
import { KeywardError } from '../../shared/errors';
import { composeMail, parseSender } from './compose-mail';
import type { Mailer } from './mailer';
import { trackInFlight } from './in-flight';

export interface SmtpMailerOptions {
  /** smtp:// or smtps:// URL, credentials included. Never logged. */
  url: string;
  from: string;
  log: Logger;
  clock?: Clock;
  /** Upper bound for one send, so a stalled server cannot hold a request for long. */
  sendTimeoutMs?: number;
}

const UNAVAILABLE = 'The mail server did not accept the message; try again later.';

/** Sends through an SMTP server (SMTP_URL) over a small pool of reused connections. */
export function createSmtpMailer({
  url,
  from,
  log,
  clock = systemClock,
  sendTimeoutMs = 25_000,
}: SmtpMailerOptions): Mailer {
  const sender = parseSender(from);
  const transport = createTransport({
    url,
    pool: true,
    maxConnections: 3,
    maxMessages: 100,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    dnsTimeout: 10_000,
    // nodemailer's own logger with `debug` would write the whole DATA stream (tokens) to the log.
    logger: false,
    debug: false,
  });
  // An 'error' event with no listener would end the process; a broken pool only fails the sends in flight.
  transport.on('error', (e) => log.warn({ cause: describeError(e) }, 'smtp transport error'));
  const inFlight = trackInFlight();

  async function deliver(options: SendMailOptions): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('send timed out'), { code: 'ETIMEDOUT' })),
        sendTimeoutMs,
      );
    });
    try {
      await Promise.race([transport.sendMail(options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    send: (message) =>
      inFlight.run(async () => {
        const options = await composeMail(message, sender, clock.now());
        try {
          await deliver(options);
        } catch (e) {
          const cause = describeError(e);
          log.warn({ to: message.to, cause }, 'mail server did not accept a mail');
          throw new KeywardError('unavailable', UNAVAILABLE, failureDetails(cause));
        }
        log.info(
          { to: message.to, subject: message.subject, encrypted: message.encryptTo !== undefined },
          'mail sent',
        );
      }),
    async close() {
      await inFlight.close();
      transport.close();
    },
  };
}

/**
 * What a caller may act on: nodemailer's error code and the server's reply code, and `reason: 'rejected'` when the
 * server refused this message for good (a 5xx reply to its recipient or its data), which sending again will not
 * change. A 5xx at login or greeting is the server's configuration, not the message's: that stays retryable.
 */
function failureDetails(cause: Record<string, unknown>): Record<string, string | number> {
  const details: Record<string, string | number> = {};
  if (typeof cause.code === 'string') details.smtpError = cause.code;
  if (typeof cause.responseCode === 'number') details.responseCode = cause.responseCode;
  const forThisMessage = cause.code === 'EENVELOPE' || cause.code === 'EMESSAGE';
  if (forThisMessage && typeof cause.responseCode === 'number' && cause.responseCode >= 500) {
    details.reason = 'rejected';
  }
  return details;
}

/** The facts worth logging from a nodemailer error; never the message it was sending. */
function describeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const { code, responseCode, command } = e as Error & {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
  };
  return { message: e.message, code, responseCode, command };
}
