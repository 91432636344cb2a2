import MimeNode from 'nodemailer/lib/mime-node';
import { createMessage, encrypt, readKey, type Key, type PublicKey } from 'openpgp';
import { KeywardError } from '../../shared/errors';
import { fullConfig, PROFILE_CONFIG, READ_CONFIG } from '../../shared/openpgp/profile';

export interface PgpMimeInput {
  from: string;
  to: string;
  subject: string;
  text: string;
  date: Date;
  /** Public key packets (binary) of the one recipient. */
  recipientKey: Uint8Array;
}

/**
 * A whole RFC 5322 message in PGP/MIME (RFC 3156 §4): `multipart/encrypted` with the version part and the
 * armored OpenPGP message of the inner `text/plain` MIME entity, as Thunderbird, Enigmail and GnuPG-based
 * clients expect. Only the text is protected; From, To and Subject stay readable (they carry no secret).
 */
export async function encryptToPgpMime(input: PgpMimeInput): Promise<Buffer> {
  const key = await readRecipientKey(input.recipientKey, input.date);
  // Annotated: openpgp.js's stream-aware return types do not resolve under typed linting.
  const encrypted: unknown = await encrypt({
    message: await createMessage({ binary: await innerTextPart(input.text), date: input.date }),
    encryptionKeys: key,
    date: input.date,
    format: 'armored',
    config: PROFILE_CONFIG,
  });
  if (typeof encrypted !== 'string') throw new Error('openpgp.js returned no armored message');

  const root = new MimeNode('multipart/encrypted; protocol="application/pgp-encrypted"', {
    newline: 'windows',
  });
  root.setHeader({ From: input.from, To: input.to, Subject: input.subject, Date: input.date });
  root
    .createChild('application/pgp-encrypted')
    .setHeader('Content-Description', 'PGP/MIME version identification')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent('Version: 1\r\n');
  root
    .createChild('application/octet-stream', { filename: 'encrypted.asc' })
    .setHeader('Content-Description', 'OpenPGP encrypted message')
    .setHeader('Content-Disposition', 'inline')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent(encrypted.replace(/\r?\n/g, '\r\n'));
  return root.build();
}

/** The encrypted payload: a MIME entity of its own (headers included), in canonical CRLF form (RFC 3156 §3). */
async function innerTextPart(text: string): Promise<Uint8Array> {
  // A child node builds without the root-only headers (Date, Message-ID, MIME-Version) the inner part must not carry.
  const holder = new MimeNode('multipart/mixed', { newline: 'windows' });
  const part = holder.createChild('text/plain; charset=utf-8').setContent(text.replace(/\r?\n/g, '\r\n'));
  return new Uint8Array(await part.build());
}

/**
 * Reads the recipient's key with the project's read limits and checks it can receive encryption now.
 * Refusing here, before anything is sent, lets the caller fall back to a plain mail on purpose.
 */
async function readRecipientKey(bytes: Uint8Array, date: Date): Promise<PublicKey> {
  let key: Key;
  try {
    key = await readKey({ binaryKey: bytes, config: READ_CONFIG });
  } catch {
    throw new KeywardError('invalid_input', 'The key to encrypt the mail to could not be read.', {
      reason: 'key_unreadable',
    });
  }
  const publicKey = key.isPrivate() ? key.toPublic() : key;
  try {
    await publicKey.getEncryptionKey(undefined, date, undefined, fullConfig(READ_CONFIG));
  } catch {
    throw new KeywardError(
      'invalid_input',
      'The key has no valid encryption subkey (it may be sign-only, expired or revoked), so the mail cannot be encrypted to it.',
      { reason: 'no_encryption_key' },
    );
  }
  return publicKey;
}

/**
 * Whether a mail can be encrypted to this key at `date`: asked when a mail is queued, so the plain fallback is
 * decided then (the queue sends what it was given, later, perhaps from another process).
 */
export async function canEncryptMailTo(recipientKey: Uint8Array, date: Date): Promise<boolean> {
  try {
    await readRecipientKey(recipientKey, date);
    return true;
  } catch {
    return false;
  }
}
