import type { Email } from '../../shared/identity';

/** One mail to one person. The text holds tokens, so adapters never log it. */
export interface MailMessage {
  to: Email;
  subject: string;
  text: string;
  /**
   * Public key packets (binary) to encrypt the mail to, as PGP/MIME (RFC 3156). When the key cannot receive
   * encryption, `send` throws `invalid_input` (details.reason `key_unreadable` or `no_encryption_key`) before
   * anything is sent; the caller decides whether to send the mail in plain instead.
   */
  encryptTo?: Uint8Array;
}

/**
 * How mails leave the keyserver; only the mail queue (mail-queue.ts) sends through it. Adapters: `smtp-mailer.ts` (a
 * mail server) and `outbox-mailer.ts` (.eml files, the embedded default when no SMTP server is configured).
 * `send` resolves once the mail is handed over; it throws `unavailable` when it could not be, and
 * `invalid_input` for a message that must not be sent (an unsafe header, an unusable key).
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Waits for mails in flight, then releases connections. Sending after close throws `unavailable`. */
  close(): Promise<void>;
}
