import { describe, expect, it } from 'vitest';
import { isKeywardError } from '../../shared/errors';
import { Email } from '../../shared/identity';
import { composeMail, parseSender } from './compose-mail';

const SENDER = parseSender('Keyward <keys@example.org>');
const ALICE = Email.parse('alice@example.org');
const NOW = new Date(Date.UTC(2026, 0, 1));

describe('mail header injection', () => {
  it.each([
    ['CR LF and a Bcc header', 'Confirm\r\nBcc: victim@example.net'],
    ['a bare LF', 'Confirm\nBcc: victim@example.net'],
    ['a bare CR', 'Confirm\rBcc: victim@example.net'],
    ['an empty line that would start the body', 'Confirm\r\n\r\nfake body'],
    ['NEL (U+0085)', 'Confirm\u0085Bcc: victim@example.net'],
    ['LINE SEPARATOR (U+2028)', 'Confirm\u2028Bcc: victim@example.net'],
    ['NUL', 'Confirm\u0000'],
    ['an empty subject', '   '],
  ])('refuses a subject with %s', async (_name, subject) => {
    const error = await composeMail({ to: ALICE, subject, text: 'x' }, SENDER, NOW).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
  });

  it.each([
    ['CR LF and a Bcc header', 'alice@example.org\r\nBcc: victim@example.net'],
    ['a second recipient', 'alice@example.org, victim@example.net'],
    ['a display name', 'Alice <alice@example.org>'],
  ])('refuses a recipient that bypassed Email.parse with %s', async (_name, to) => {
    const error = await composeMail({ to: to as Email, subject: 'x', text: 'x' }, SENDER, NOW).catch(
      (e: unknown) => e,
    );
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
  });

  it.each([
    ['CR LF and a Bcc header', 'Keyward <keys@example.org>\r\nBcc: victim@example.net'],
    ['two addresses', 'keys@example.org, victim@example.net'],
    ['no address', 'Keyward'],
  ])('refuses a MAIL_FROM with %s when the mailer is built', (_name, from) => {
    expect(() => parseSender(from)).toThrow(/MAIL_FROM must be one address/);
  });

  it('keeps a safe subject and a non-ASCII sender name as they are (nodemailer encodes them, RFC 2047)', async () => {
    const sender = parseSender('  Schlüsseldienst <keys@example.org> ');
    expect(sender).toEqual({ header: 'Schlüsseldienst <keys@example.org>', address: 'keys@example.org' });
    expect(await composeMail({ to: ALICE, subject: 'Grüße: confirm', text: 'x' }, sender, NOW)).toMatchObject(
      {
        envelope: { from: 'keys@example.org', to: [ALICE] },
        from: 'Schlüsseldienst <keys@example.org>',
        to: ALICE,
        subject: 'Grüße: confirm',
        date: NOW,
      },
    );
  });
});
