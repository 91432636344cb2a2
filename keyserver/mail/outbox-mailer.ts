import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../shared/clock';
import { KeywardError } from '../../shared/errors';
import { composeMail, parseSender } from './compose-mail';
import { trackInFlight } from './in-flight';
import type { Mailer } from './mailer';

export interface OutboxMailerOptions {
  /** Folder for the .eml files, created when missing (e.g. DATA_DIR/outbox). */
  dir: string;
  from: string;
  log: Logger;
  clock?: Clock;
}

/**
 * The embedded default when no SMTP server is configured (`npm start`): every mail becomes an RFC 5322 .eml file
 * any mail client opens, and one log line shows its links, so whoever runs the server can follow a verification
 * link (or type a one-time code) from the console, even when the .eml is encrypted to a key the operator does not
 * hold. The links and codes carry secrets: this is the operator's own mailbox, not a way to deliver mail.
 */
export function createOutboxMailer({ dir, from, log, clock = systemClock }: OutboxMailerOptions): Mailer {
  const sender = parseSender(from);
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const inFlight = trackInFlight();
  let sequence = 0;

  async function write(raw: Buffer, now: Date): Promise<string> {
    // ISO time with '-' for ':' sorts by name in time order; the sequence orders mails of one millisecond,
    // the random part keeps two processes sharing the folder apart.
    sequence = (sequence + 1) % 1_000_000;
    const name = `${now.toISOString().replace(/:/g, '-')}-${String(sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}.eml`;
    const file = join(dir, name);
    const temp = join(dir, `.${name}.tmp`);
    // The files hold tokens: readable by the server's user only.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      await writeFile(temp, raw, { mode: 0o600, flag: 'wx' });
      await rename(temp, file); // atomic: a reader never sees half a mail
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return file;
  }

  return {
    send: (message) =>
      inFlight.run(async () => {
        const now = clock.now();
        const options = await composeMail(message, sender, now);
        let file: string;
        try {
          const info = await transport.sendMail(options);
          file = await write(info.message as Buffer, now);
        } catch (e) {
          log.warn(
            {
              to: message.to,
              cause: { message: (e as Error).message, code: (e as { code?: unknown }).code },
            },
            'could not write a mail to the outbox',
          );
          throw new KeywardError(
            'unavailable',
            'The mail could not be written to the outbox; try again later.',
          );
        }
        log.info(
          {
            to: message.to,
            subject: message.subject,
            links: linksIn(message.text),
            codes: codesIn(message.text),
            file,
            encrypted: message.encryptTo !== undefined,
          },
          'mail written to outbox',
        );
      }),
    async close() {
      await inFlight.close();
      transport.close();
    },
  };
}

/** Every http(s) link in a text, without the punctuation that may follow it in a sentence. */
function linksIn(text: string): string[] {
  return [...text.matchAll(/\bhttps?:\/\/[^\s<>"'()]+/g)].map((m) => m[0].replace(/[.,;:!?]+$/, ''));
}

/** One-time codes in a text: a line holding only a code, as Keyward's mails print them ("  1234 5678"). */
function codesIn(text: string): string[] {
  return [...text.matchAll(/^[ \t]+(\d{4} \d{4})[ \t]*$/gm)].map((m) => m[1]!);
}
