import { type Email, Fingerprint } from '../../shared/identity';

/**
 * The keyserver's mails, in plain text. Each says what happened, what to do, and what to ignore when it was not
 * the reader. No key material: a fingerprint is enough to compare, and a mail is no place for keys.
 * Subjects hold only the address and the host, both already free of line breaks (Email, URL), and the mailer
 * refuses a subject with a control character anyway.
 */
export interface MailText {
  subject: string;
  text: string;
}

export function verificationMail(p: {
  baseUrl: string;
  email: Email;
  fingerprint: Fingerprint;
  link: string;
  expiresHours: number;
}): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `Confirm ${p.email} for your OpenPGP key on ${host}`,
    text: lines(
      'Hello,',
      '',
      'someone, hopefully you, uploaded an OpenPGP key to the key directory',
      `at ${host} and asked to publish it for this address:`,
      '',
      `  ${p.email}`,
      '',
      'The fingerprint of the key:',
      '',
      ...fingerprintLines(p.fingerprint),
      '',
      'If this is your key, open this link and confirm on the page that opens:',
      '',
      p.link,
      '',
      `The link works once and expires in ${duration(p.expiresHours)}. After you confirm,`,
      'anyone can find this key by your address and send you encrypted files',
      'and mail.',
      '',
      'If you did not ask for this, or the fingerprint is not that of your key,',
      'ignore this mail: nothing is published for your address without your',
      'confirmation.',
      ...signature(p.baseUrl),
    ),
  };
}

export function unpublishMail(p: { email: Email; link: string; expiresHours: number }): MailText {
  const origin = new URL(p.link).origin;
  const host = hostOf(origin);
  return {
    subject: `Remove ${p.email} from the key directory on ${host}?`,
    text: lines(
      'Hello,',
      '',
      `someone, hopefully you, asked the key directory at ${host}`,
      'to stop publishing a key for this address:',
      '',
      `  ${p.email}`,
      '',
      'To remove the address, open this link and confirm on the page that opens:',
      '',
      p.link,
      '',
      `The link works once and expires in ${duration(p.expiresHours)}. Afterwards nobody`,
      'finds a key by this address here until you publish one again.',
      '',
      'If you did not ask for this, ignore this mail: nothing changes without',
      'your confirmation.',
      ...signature(origin),
    ),
  };
}

/** To the holder of the key an address pointed to until a newer key was confirmed for it. */
export function keyReplacedMail(p: {
  email: Email;
  oldFingerprint: Fingerprint;
  newFingerprint: Fingerprint;
  baseUrl: string;
}): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `A new key now stands for ${p.email} on ${host}`,
    text: lines(
      'Hello,',
      '',
      `a new OpenPGP key was confirmed in the key directory at ${host}`,
      'for this address:',
      '',
      `  ${p.email}`,
      '',
      'It replaces your earlier key for the address. People who look it up',
      'now get the new key.',
      '',
      'Your earlier key:',
      '',
      ...fingerprintLines(p.oldFingerprint),
      '',
      'The new key:',
      '',
      ...fingerprintLines(p.newFingerprint),
      '',
      'If you made the new key, there is nothing to do.',
      '',
      'If you did not, someone who can read mail sent to this address confirmed',
      'a key of theirs with it. Secure your mail account first (change its',
      'password), then upload your own key again and confirm it:',
      '',
      p.baseUrl,
      '',
      'and ask the people who write to you to check your fingerprint.',
      ...signature(p.baseUrl),
    ),
  };
}

export function lines(...parts: string[]): string {
  return `${parts.join('\n')}\n`;
}

/** Groups of four as people compare them; a v6 fingerprint (16 groups) on two lines of eight. */
export function fingerprintLines(fpr: Fingerprint): string[] {
  const groups = Fingerprint.format(fpr).split(' ');
  const rows = groups.length > 10 ? [groups.slice(0, 8), groups.slice(8)] : [groups];
  return rows.map((row) => `  ${row.join(' ')}`);
}

export function signature(baseUrl: string): string[] {
  return ['', '-- ', `Keyward key directory, ${baseUrl}`];
}

export function hostOf(url: string): string {
  return new URL(url).host;
}

function duration(hours: number): string {
  if (hours >= 48 && hours % 24 === 0) return `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}
