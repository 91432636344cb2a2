import { describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../shared/identity';
import { keyReplacedMail, unpublishMail, verificationMail } from './mail-texts';

const EMAIL = Email.parse('alice@example.org');
const FPR = Fingerprint.parse('EB85BB5FA33A75E15E944E63F231550C4F47E38E');
const FPR6 = Fingerprint.parse('CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9');
const BASE = 'https://keys.example.org';
const LINK = `${BASE}/verify#token=${'A'.repeat(43)}`;

const mails = {
  verification: verificationMail({
    baseUrl: BASE,
    email: EMAIL,
    fingerprint: FPR,
    link: LINK,
    expiresHours: 24,
  }),
  unpublish: unpublishMail({ email: EMAIL, link: LINK, expiresHours: 1 }),
  keyReplaced: keyReplacedMail({ email: EMAIL, oldFingerprint: FPR, newFingerprint: FPR6, baseUrl: BASE }),
};

describe('mail texts', () => {
  it('asks to confirm a verification, showing the address, the fingerprint in groups of four and the expiry', () => {
    const { subject, text } = mails.verification;
    expect(subject).toBe('Confirm alice@example.org for your OpenPGP key on keys.example.org');
    expect(text).toContain('  alice@example.org\n');
    expect(text).toContain('  EB85 BB5F A33A 75E1 5E94 4E63 F231 550C 4F47 E38E\n');
    expect(text).toContain(`\n${LINK}\n`);
    expect(text).toContain('expires in 24 hours');
    expect(text).toMatch(/If you did not ask for this, .*ignore this mail/s);
  });

  it('asks to confirm an unpublish request and says nothing changes otherwise', () => {
    const { subject, text } = mails.unpublish;
    expect(subject).toBe('Remove alice@example.org from the key directory on keys.example.org?');
    expect(text).toContain(`\n${LINK}\n`);
    expect(text).toContain('expires in 1 hour.');
    expect(text).toMatch(/ignore this mail: nothing changes/);
  });

  it('tells the previous holder which key replaced theirs and what to do if it was not them', () => {
    const { subject, text } = mails.keyReplaced;
    expect(subject).toBe('A new key now stands for alice@example.org on keys.example.org');
    expect(text).toContain('Your earlier key:\n\n  EB85 BB5F A33A 75E1 5E94 4E63 F231 550C 4F47 E38E\n');
    expect(text).toContain(
      'The new key:\n\n  CB18 6C4F 0609 A697 E4D5 2DFA 6C72 2B0C\n  1F1E 27C1 8A56 708F 6525 EC27 BAD9 ACC9\n',
    );
    expect(text).toContain('nothing to do');
    expect(text).toMatch(/Secure your mail account/);
  });

  it('writes longer expiries in days', () => {
    const { text } = verificationMail({
      baseUrl: BASE,
      email: EMAIL,
      fingerprint: FPR,
      link: LINK,
      expiresHours: 72,
    });
    expect(text).toContain('expires in 3 days');
  });

  it.each(Object.entries(mails))(
    '%s: one-line subject, short lines, no key material',
    (_name, { subject, text }) => {
      // eslint-disable-next-line no-control-regex
      expect(subject).not.toMatch(/[\u0000-\u001f]/);
      expect(text).not.toMatch(/BEGIN PGP|\r/);
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.split('\n').filter((l) => !l.startsWith('http')))
        expect(line.length).toBeLessThanOrEqual(76);
    },
  );

  it('mail header injection: an address with CR/LF never reaches a subject, Email refuses it', () => {
    expect(() =>
      verificationMail({
        baseUrl: BASE,
        email: Email.parse('alice@example.org\r\nBcc: victim@example.net'),
        fingerprint: FPR,
        link: LINK,
        expiresHours: 24,
      }),
    ).toThrow(/control characters/);
  });
});
