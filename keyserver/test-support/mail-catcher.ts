import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps every message it receives, so tests go
 * through nodemailer and SMTP exactly as production does. `refuse(451)` makes it answer every recipient with that
 * code (a mail server that is down for a while), `refuse(null)` makes it accept again.
 */
export async function startMailCatcher() {
  const mails: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  let refusal: number | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refusal === null) callback();
      else callback(Object.assign(new Error('Try again later'), { responseCode: refusal }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Waits for a mail to `to` (that arrived after `skip` earlier ones to the same address). */
    async next(to: string, timeoutMs = 5000, skip = 0): Promise<CaughtMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.filter((m) => m.to.includes(to))[skip];
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 100);
        });
      }
    },
    countTo(to: string): number {
      return mails.filter((m) => m.to.includes(to)).length;
    },
    refuse(code: number | null): void {
      refusal = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link to this server's `path` in a (plain-text, possibly quoted-printable) mail. */
export function linkIn(mail: CaughtMail, path: '/verify/' | '/manage/'): string {
  const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = new RegExp(`https?://[^\\s"<>]+${path}[A-Za-z0-9_-]{43}`).exec(body);
  if (!match) throw new Error(`no ${path} link in mail:\n${body.slice(0, 2000)}`);
  return match[0];
}
