import { createMessage, encrypt, enums, generateKey, generateSessionKey, type Key } from 'openpgp';
import type { Fingerprint } from '../identity';
import { isKeywardError, KeywardError, invalidInput } from '../errors';
import { mapStreamErrors, readAllBytes, toByteStream, withExpectedLength, type Bytes } from './byte-streams';
import { keyAlgorithms } from './generate-key';
import { KEY_PROTECTION_ARGON2, PROFILE_CONFIG } from './profile';
import type { UnlockedKey } from './lock-key';
import { parseKey, parsePrivateKey, type KeyInput } from './read-keys';
import { summarizeParsedKey, type KeySummary } from './summarize-key';

export interface EncryptFileOptions {
  plaintext: Bytes;
  /** Recipients' keys, armored or binary, one key each (a private key is used by its public part). */
  recipients: readonly KeyInput[];
  /**
   * Passwords that open the file too (or alone, with no recipients): each stretched with Argon2id (RFC 9580
   * §3.7.1.4) into a key that encrypts the session key (an SKESK packet, §5.3).
   */
  passwords?: readonly string[];
  /** Key validity is judged at this date; also the literal data packet's date. */
  date: Date;
  /** Stored inside the encryption (RFC 9580 §5.9), so decrypt-on-download can restore it. */
  filename?: string;
  /** Signs the file inside the encryption (one-pass signature, RFC 9580 §5.4), so readers see who sent it. */
  signingKey?: UnlockedKey;
  /**
   * The plaintext's size, when known (a picked `File`): a stream that ends short of it or runs past it makes the
   * ciphertext stream fail with `invalid_input` instead of ending as if the file were whole.
   */
  plaintextLength?: number;
  /**
   * Make a file GnuPG 2.2 and 2.4 can open: SEIPDv1 (RFC 9580 §5.13.1) with AES-256 even when every recipient
   * advertises SEIPDv2 (as keys Keyward makes do). Such a file cannot be checked before its end, so readers buffer
   * it whole; the recipients' keys must still be ones GnuPG reads (v4).
   */
  forGnuPG?: boolean;
}

export interface EncryptedFile {
  /** Binary OpenPGP message (`.pgp`): armor would add a third and cost time. */
  ciphertext: ReadableStream<Uint8Array>;
  /**
   * seipdv2 (AEAD, AES-256-GCM when every recipient lists it) when every recipient advertises SEIPDv2, else
   * seipdv1 (RFC 9580 §5.13.1) so that GnuPG can read it. SEIPDv1 cannot be checked before its end; readers
   * buffer it whole, which a UI should mention for large files.
   */
  encryption: 'seipdv2' | 'seipdv1';
  recipients: Fingerprint[];
}

/**
 * A file's signature hashes every byte of it, as it streams, in JavaScript (a streamed hash cannot use WebCrypto's
 * one-shot digest). SHA-256 runs about twice as fast as SHA-512 there (165 vs 76 MiB/s in V8), and is what
 * RFC 9580 §5.2.3.4 asks of Ed25519 at least; keys still certify with SHA-512. openpgp.js keeps SHA-512 for v4
 * keys (legacy EdDSA on Curve25519), so this speeds up files signed with v6 keys only.
 */
const FILE_SIGNATURE_CONFIG = Object.freeze({ ...PROFILE_CONFIG, preferredHashAlgorithm: enums.hash.sha256 });

const PASSWORD_CONFIG = Object.freeze({
  s2kType: enums.s2k.argon2,
  s2kArgon2Params: KEY_PROTECTION_ARGON2,
});

/** Encrypts a file for the recipients, streaming; a recipient that cannot encrypt at `date`: `invalid_input`. */
export async function encryptFile(options: EncryptFileOptions): Promise<EncryptedFile> {
  const { date } = options;
  const passwords = options.passwords ?? [];
  if (options.recipients.length === 0 && passwords.length === 0) {
    throw invalidInput('At least one recipient or a password is needed to encrypt a file.');
  }
  const byFingerprint = new Map<Fingerprint, { key: Key; summary: KeySummary }>();
  for (const input of options.recipients) {
    const parsed = await parseKey(input);
    const key = parsed.isPrivate() ? parsed.toPublic() : parsed;
    const summary = await summarizeParsedKey(key, date);
    if (!summary.canEncrypt) throw invalidInput(`The key ${summary.fingerprint} ${whyNotEncrypt(summary)}.`);
    byFingerprint.set(summary.fingerprint, { key, summary });
  }
  const recipients = [...byFingerprint.values()];
  // openpgp.js picks SEIPDv2 exactly when every recipient's Features advertise it; this mirrors that decision.
  const encryption =
    !options.forGnuPG && recipients.every((r) => r.summary.supportsSeipdv2) ? 'seipdv2' : 'seipdv1';
  try {
    const plaintext = toByteStream(options.plaintext);
    const message = await createMessage({
      binary:
        options.plaintextLength === undefined
          ? plaintext
          : withExpectedLength(plaintext, options.plaintextLength),
      format: 'binary',
      date,
      ...(options.filename === undefined ? {} : { filename: options.filename }),
    });
    const signingKeys = options.signingKey === undefined ? [] : [await parsePrivateKey(options.signingKey)];
    const ciphertext: unknown = await encrypt({
      message,
      ...(recipients.length > 0 ? { encryptionKeys: recipients.map((r) => r.key) } : {}),
      ...(passwords.length > 0 ? { passwords: [...passwords] } : {}),
      // openpgp.js's session key without its AEAD algorithm: openpgp.js then writes SEIPDv1 and v3 key packets.
      ...(options.forGnuPG
        ? {
            sessionKey: await sessionKeyWithoutAead(
              recipients.map((r) => r.key),
              date,
            ),
          }
        : {}),
      ...(signingKeys.length > 0 ? { signingKeys } : {}),
      format: 'binary',
      date,
      config: {
        ...(signingKeys.length > 0 ? FILE_SIGNATURE_CONFIG : PROFILE_CONFIG),
        // A password is stretched as keys are: Argon2id, with the memory Keyward locks keys with.
        ...(passwords.length > 0 ? PASSWORD_CONFIG : {}),
      },
    });
    return {
      // Our own errors (the file changed while read) reach the caller as they are; anything else as one message.
      ciphertext: mapStreamErrors(ciphertext as ReadableStream<Uint8Array>, (error) =>
        isKeywardError(error)
          ? error
          : new KeywardError(
              'invalid_input',
              'The file could not be read or encrypted.',
              {},
              { cause: error },
            ),
      ),
      encryption,
      recipients: recipients.map((r) => r.summary.fingerprint),
    };
  } catch (error) {
    throw new KeywardError('invalid_input', 'The file could not be encrypted.', {}, { cause: error });
  }
}

/** A fresh session key for these recipients, as openpgp.js makes it, for SEIPDv1 (no AEAD algorithm). */
async function sessionKeyWithoutAead(
  keys: Key[],
  date: Date,
): Promise<{ data: Uint8Array; algorithm: 'aes256' | 'aes192' | 'aes128' }> {
  const { data, algorithm } = await generateSessionKey({
    encryptionKeys: keys,
    date,
    config: { ...PROFILE_CONFIG, aeadProtect: false },
  });
  return { data, algorithm: algorithm as 'aes256' | 'aes192' | 'aes128' };
}

function whyNotEncrypt(summary: KeySummary): string {
  if (summary.revoked) return 'is revoked';
  if (summary.expired) return `expired on ${new Date(summary.expires ?? 0).toISOString().slice(0, 10)}`;
  return 'has no subkey that can encrypt (or its self-signatures are invalid)';
}

/**
 * One small signed encryption to a throwaway key made here (unprotected, in memory only, never kept or returned),
 * so that a worker waiting for an upload has openpgp.js's key parsing, signing and encryption code compiled before
 * the upload comes (V8 compiles on first use): the first encryption in a fresh context spends about twice as long
 * getting ready as the next ones. The key is of the kind Keyward makes by default (v4, generate-key.ts).
 */
export async function warmUpFileEncryption(date: Date): Promise<void> {
  const throwaway = await generateKey({
    ...keyAlgorithms(4),
    userIDs: [{ email: 'warm-up@keyward.invalid' }],
    date,
    format: 'armored',
    config: PROFILE_CONFIG,
  });
  const bytes = 1024;
  const encrypted = await encryptFile({
    plaintext: new Blob([new Uint8Array(bytes)]).stream(),
    plaintextLength: bytes,
    recipients: [throwaway.publicKey],
    date,
    filename: 'warm-up',
    signingKey: throwaway.privateKey as UnlockedKey,
  });
  await readAllBytes(encrypted.ciphertext);
}
