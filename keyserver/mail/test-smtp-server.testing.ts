import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** What the test server received: the SMTP envelope and the message exactly as it came over DATA. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * Test helper: a real SMTP server on 127.0.0.1 and a free port, collecting every message it accepts.
 * `rejectRecipient` answers RCPT TO with 550 for addresses it matches; `refuse(code)` answers every RCPT TO with
 * that code from then on (451: try later, 550: never), `refuse(null)` accepts again.
 */
export async function startTestSmtpServer(
  options: { rejectRecipient?: (address: string) => boolean } = {},
): Promise<{
  url: string;
  received: ReceivedMail[];
  refuse(code: number | null): void;
  close(): Promise<void>;
}> {
  const received: ReceivedMail[] = [];
  let refusal: number | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (refusal !== null) {
        callback(Object.assign(new Error('Not now'), { responseCode: refusal }));
      } else if (options.rejectRecipient?.(address.address)) {
        callback(Object.assign(new Error('No such mailbox here'), { responseCode: 550 }));
      } else {
        callback();
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('latin1'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse: (code) => {
      refusal = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
