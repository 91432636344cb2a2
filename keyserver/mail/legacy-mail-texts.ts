import type { Email, Fingerprint } from '../../shared/identity';
import { fingerprintLines, hostOf, lines, type MailText, signature } from './mail-texts';

/**
 * Digital legacy's mails (docs/legacy.md). The owner's mails say who asked, when access will be given and where
 * to refuse; their link opens a page that refuses nothing by itself. The trusted person's say what happened. No
 * key material, and nothing a reader could act on without their own key or passphrase.
 */

const when = (t: number) => `${new Date(t).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

function refuseHow(link: string): string[] {
  return [
    'To refuse, open Keyward, go to its settings, "If something happens',
    'to you", and choose Refuse next to this request. On a device without',
    'your key, Keyward can refuse after you log in to your key backup with',
    'your passphrase. This page shows where the request stands:',
    '',
    link,
    '',
    'The link alone refuses nothing: a mail is not proof that you are you.',
  ];
}

export function legacyRequestedMail(p: {
  baseUrl: string;
  owner: Email;
  trusted: Email;
  trustedFingerprint: Fingerprint;
  waitingDays: number;
  releaseAt: number;
  link: string;
}): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `${p.trusted} asked for access to your Keyward key (${host})`,
    text: lines(
      'Hello,',
      '',
      `${p.trusted}, whom you named as your trusted person on ${host},`,
      `has asked for access to your key (${p.owner}). They proved it with`,
      'the key you chose for them:',
      '',
      ...fingerprintLines(p.trustedFingerprint),
      '',
      `Unless you refuse, they get your key on ${when(p.releaseAt)},`,
      `after the waiting period of ${days(p.waitingDays)} you chose, and can then open`,
      'every file encrypted to it.',
      '',
      ...refuseHow(p.link),
      '',
      'If you expected this, there is nothing to do. You will be reminded',
      'before the end.',
      ...signature(p.baseUrl),
    ),
  };
}

export function legacyReminderMail(p: {
  baseUrl: string;
  trusted: Email;
  releaseAt: number;
  link: string;
}): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `Reminder: ${p.trusted} gets your Keyward key on ${when(p.releaseAt).slice(0, 10)} (${host})`,
    text: lines(
      'Hello,',
      '',
      `${p.trusted} asked for access to your key on ${host}.`,
      `Unless you refuse, they get it on ${when(p.releaseAt)}.`,
      '',
      ...refuseHow(p.link),
      ...signature(p.baseUrl),
    ),
  };
}

export function legacyReleasedOwnerMail(p: { baseUrl: string; trusted: Email; at: number }): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `${p.trusted} now has access to your Keyward key (${host})`,
    text: lines(
      'Hello,',
      '',
      `the waiting period you set for ${p.trusted} ended on ${when(p.at)}`,
      'without a refusal, so their Keyward can now fetch your key and open',
      'your files.',
      '',
      'If you did not expect this, a released key cannot be taken back: make a',
      'new key in Keyward, withdraw the grant, and tell the people who write',
      'to you.',
      ...signature(p.baseUrl),
    ),
  };
}

export function legacyReleasedMail(p: { baseUrl: string; owner: Email }): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `You now have access to ${p.owner}'s Keyward key (${host})`,
    text: lines(
      'Hello,',
      '',
      `the waiting period ${p.owner} set has ended without a refusal. Open`,
      'Keyward, go to its settings, "If something happens to you", and choose',
      'Get access: Keyward fetches the key, opens it with yours and adds it to',
      `your keys, so you can open the files ${p.owner} encrypted.`,
      ...signature(p.baseUrl),
    ),
  };
}

export function legacyRefusedMail(p: { baseUrl: string; owner: Email }): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `${p.owner} refused your request for access (${host})`,
    text: lines(
      'Hello,',
      '',
      `${p.owner} refused your request for access to their Keyward key.`,
      'Nothing was released. You can ask again in a week.',
      ...signature(p.baseUrl),
    ),
  };
}

export function legacyCancelledMail(p: { baseUrl: string; owner: Email; revoked: boolean }): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `Your request for access to ${p.owner}'s key ended (${host})`,
    text: lines(
      'Hello,',
      '',
      p.revoked
        ? `${p.owner} withdrew the grant that named you, so your request ended.`
        : `${p.owner} changed the grant that named you, so your request ended.`,
      'Nothing was released.',
      ...(p.revoked ? [] : ['', 'You can ask again in Keyward at any time.']),
      ...signature(p.baseUrl),
    ),
  };
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}
