import type { SendMailOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { invalidInput } from '../../shared/errors';
import { Email } from '../../shared/identity';
import type { MailMessage } from './mailer';
import { encryptToPgpMime } from './pgp-mime';

/**
 * Turns a MailMessage into what a nodemailer transport sends: plain text, or PGP/MIME when `encryptTo` is given.
 * Both adapters go through here, so the header checks below hold for every mail the keyserver writes.
 */

/** The configured sender (MAIL_FROM): the header as written and the bare address for the SMTP envelope. */
export interface Sender {
  readonly header: string;
  readonly address: string;
}

// C0 and C1 controls, DEL and the Unicode line and paragraph separators. A CR or LF in a header value would
// start a new header (Bcc:, a second Subject:, or the body itself): RFC 5322 §2.2 header injection.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_HEADER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Checks MAIL_FROM once, when a mailer is built: exactly one mailbox, nothing that could break the header. */
export function parseSender(from: string): Sender {
  const header = from.trim();
  const parsed = UNSAFE_IN_HEADER.test(header) ? [] : addressparser(header, { flatten: true });
  const address = parsed.length === 1 ? parsed[0]?.address : undefined;
  if (address === undefined || !/^[^\s@]+@[^\s@]+$/.test(address)) {
    throw invalidInput(
      `MAIL_FROM must be one address such as "Keyward <keys@example.org>"; got ${JSON.stringify(from.slice(0, 80))}.`,
    );
  }
  return { header, address };
}

/** Refuses, rather than cleans, an unsafe header: it is a bug or an attack, and either way the mail must not go. */
function assertSafeHeaders(message: MailMessage): void {
  if (Email.tryParse(message.to) !== message.to) {
    throw invalidInput('The recipient is not a normalised e-mail address.');
  }
  if (message.subject.trim() === '' || UNSAFE_IN_HEADER.test(message.subject)) {
    throw invalidInput('A mail subject must be one line of text without control characters.');
  }
}

export async function composeMail(
  message: MailMessage,
  sender: Sender,
  date: Date,
): Promise<SendMailOptions> {
  assertSafeHeaders(message);
  // The envelope is given, not derived from the headers: a raw message's headers are not parsed at all.
  const envelope = { from: sender.address, to: [message.to] };
  if (message.encryptTo === undefined) {
    return {
      envelope,
      from: sender.header,
      to: message.to,
      subject: message.subject,
      text: message.text,
      date,
    };
  }
  const raw = await encryptToPgpMime({
    from: sender.header,
    to: message.to,
    subject: message.subject,
    text: message.text,
    date,
    recipientKey: message.encryptTo,
  });
  return { envelope, raw };
}
