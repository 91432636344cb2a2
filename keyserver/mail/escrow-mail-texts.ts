import type { Email, Fingerprint } from '../../shared/identity';
import { fingerprintLines, hostOf, lines, type MailText, signature } from './mail-texts';

/**
 * The escrow's mails (docs/escrow.md): a one-time code, a lockout warning, and a notice for every release of the
 * key to a device that never held it. No key material, and a code only in the mail that carries it.
 */

const ACTIONS = {
  register: 'set up key backup (escrow) for this address',
  release: 'restore your key on a new device',
  recover: 'restore your key with your recovery code',
} as const;

export function escrowCodeMail(p: {
  baseUrl: string;
  email: Email;
  purpose: keyof typeof ACTIONS;
  code: string;
  expiresMinutes: number;
}): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `Your Keyward code for ${host}`,
    text: lines(
      'Hello,',
      '',
      `someone, hopefully you, asked the Keyward server at ${host} to`,
      `${ACTIONS[p.purpose]}:`,
      '',
      `  ${p.email}`,
      '',
      'Enter this code in Keyward:',
      '',
      `  ${p.code.slice(0, 4)} ${p.code.slice(4)}`,
      '',
      `It works once and expires in ${p.expiresMinutes} minutes. A newer code replaces it.`,
      '',
      'If you did not ask for this, ignore this mail and do not give the code to',
      'anyone: nobody from Keyward will ever ask you for it.',
      ...signature(p.baseUrl),
    ),
  };
}

export function escrowLockoutMail(p: { baseUrl: string; email: Email; until: Date }): MailText {
  const host = hostOf(p.baseUrl);
  return {
    subject: `Too many passphrase attempts for ${p.email} on ${host}`,
    text: lines(
      'Hello,',
      '',
      `there were too many attempts to unlock your key backup at ${host}`,
      'with a passphrase, for this address:',
      '',
      `  ${p.email}`,
      '',
      `Further attempts are refused until ${p.until.toISOString().replace('T', ' ').slice(0, 16)} UTC.`,
      '',
      'If that was you, wait and try again. If it was not, someone is guessing',
      'your passphrase: your backup stays locked, and they also need a code',
      'mailed to this address to restore it on a new device. A long passphrase',
      'keeps you safe; consider changing yours in Keyward.',
      ...signature(p.baseUrl),
    ),
  };
}

export function escrowReleaseMail(p: {
  baseUrl: string;
  email: Email;
  fingerprint: Fingerprint;
  kind: 'passphrase' | 'recovery';
  at: Date;
}): MailText {
  const host = hostOf(p.baseUrl);
  const how = p.kind === 'recovery' ? 'your recovery code' : 'your passphrase';
  return {
    subject: `Your key was released to a new device (${host})`,
    text: lines(
      'Hello,',
      '',
      `your Keyward key was restored on a new device from the backup at ${host},`,
      `using ${how} and a code mailed to this address:`,
      '',
      `  ${p.email}`,
      '',
      `When: ${p.at.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
      'The key:',
      '',
      ...fingerprintLines(p.fingerprint),
      '',
      'If that was you, there is nothing to do.',
      '',
      'If it was not, someone knows your passphrase (or recovery code) and can',
      'read this mailbox: secure your mail account first, then make a new key in',
      'Keyward and tell the people who write to you.',
      ...signature(p.baseUrl),
    ),
  };
}
