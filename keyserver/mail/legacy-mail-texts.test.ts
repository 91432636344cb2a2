import { describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../shared/identity';
import {
  legacyCancelledMail,
  legacyReleasedMail,
  legacyReleasedOwnerMail,
  legacyRefusedMail,
  legacyReminderMail,
  legacyRequestedMail,
} from './legacy-mail-texts';

const OWNER = Email.parse('owner@example.org');
const TRUSTED = Email.parse('trusted@example.org');
const FPR = Fingerprint.parse('EB85BB5FA33A75E15E944E63F231550C4F47E38E');
const BASE = 'https://keys.example.org';
const LINK = `${BASE}/legacy/requests/${'a'.repeat(32)}/${'b'.repeat(32)}`;
const RELEASE = Date.UTC(2026, 2, 4, 5, 6);

describe('digital-legacy mail texts', () => {
  it('tells the owner at once who asked, with which key, when access follows, and where to refuse', () => {
    const { subject, text } = legacyRequestedMail({
      baseUrl: BASE,
      owner: OWNER,
      trusted: TRUSTED,
      trustedFingerprint: FPR,
      waitingDays: 14,
      releaseAt: RELEASE,
      link: LINK,
    });
    expect(subject).toBe('trusted@example.org asked for access to your Keyward key (keys.example.org)');
    expect(text).toContain('  EB85 BB5F A33A 75E1 5E94 4E63 F231 550C 4F47 E38E\n');
    expect(text).toContain('they get your key on 2026-03-04 05:06 UTC');
    expect(text).toContain('waiting period of 14 days');
    expect(text).toContain(`\n${LINK}\n`);
    expect(text).toContain('The link alone refuses nothing');
  });

  it('reminds the owner with the same link and the date in the subject', () => {
    const { subject, text } = legacyReminderMail({
      baseUrl: BASE,
      trusted: TRUSTED,
      releaseAt: RELEASE,
      link: LINK,
    });
    expect(subject).toBe(
      'Reminder: trusted@example.org gets your Keyward key on 2026-03-04 (keys.example.org)',
    );
    expect(text).toContain(`\n${LINK}\n`);
  });

  it('tells both sides about a release, and the trusted person about a refusal or an ended request', () => {
    expect(legacyReleasedOwnerMail({ baseUrl: BASE, trusted: TRUSTED, at: RELEASE }).text).toContain(
      'a released key cannot be taken back',
    );
    expect(legacyReleasedMail({ baseUrl: BASE, owner: OWNER }).subject).toBe(
      "You now have access to owner@example.org's Keyward key (keys.example.org)",
    );
    expect(legacyRefusedMail({ baseUrl: BASE, owner: OWNER }).text).toContain('Nothing was released.');
    expect(legacyCancelledMail({ baseUrl: BASE, owner: OWNER, revoked: true }).text).toContain('withdrew');
    expect(legacyCancelledMail({ baseUrl: BASE, owner: OWNER, revoked: false }).text).toContain('ask again');
  });

  it('puts no key material and no line break in a subject', () => {
    const all = [
      legacyRequestedMail({
        baseUrl: BASE,
        owner: OWNER,
        trusted: TRUSTED,
        trustedFingerprint: FPR,
        waitingDays: 1,
        releaseAt: RELEASE,
        link: LINK,
      }),
      legacyReminderMail({ baseUrl: BASE, trusted: TRUSTED, releaseAt: RELEASE, link: LINK }),
      legacyReleasedOwnerMail({ baseUrl: BASE, trusted: TRUSTED, at: RELEASE }),
      legacyReleasedMail({ baseUrl: BASE, owner: OWNER }),
      legacyRefusedMail({ baseUrl: BASE, owner: OWNER }),
      legacyCancelledMail({ baseUrl: BASE, owner: OWNER, revoked: false }),
    ];
    for (const { subject, text } of all) {
      expect(subject).not.toMatch(/[\r\n]/);
      expect(text).not.toMatch(/BEGIN PGP/);
    }
  });
});
