import { KeywardError } from '../errors';

/** SED packets (RFC 9580 §5.7) have no integrity protection: anyone could have altered the content unnoticed. */
export const UNPROTECTED_MESSAGE =
  'The file uses an old kind of encryption without an integrity check; it is refused because it could have been ' +
  'altered unnoticed.';

/**
 * Turns what openpgp.js throws while decrypting into our codes and messages people can act on. openpgp.js has no
 * error codes, so this matches its messages (Node's and WebCrypto's wording for a failed GCM tag differ). The
 * table in decryption-error.test.ts and the attack tests in decrypt-file.test.ts pin every case, so an openpgp.js
 * upgrade that rewords one fails there.
 *
 * `stage` says where it happened: `start` (session key, first chunk, or a whole SEIPDv1 body that openpgp.js
 * buffers) or `stream` (a later chunk; by then the key worked, so any failure means damaged data).
 */
export function decryptionError(error: unknown, stage: 'start' | 'stream'): KeywardError {
  if (error instanceof KeywardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const fail = (code: 'invalid_input' | 'forbidden' | 'too_large', text: string) =>
    new KeywardError(code, text, {}, { cause: error });

  if (/Unexpected end of (packet|stream)/i.test(message)) {
    return fail(
      'invalid_input',
      'The file is incomplete: it ends before its integrity check, probably cut off during transfer. ' +
        'Nothing decrypted from it should be kept; get the file again.',
    );
  }
  if (/Authentication tag mismatch|unable to authenticate data|Modification detected/i.test(message)) {
    return fail(
      'invalid_input',
      'The file is damaged or was tampered with: its integrity check failed. Nothing decrypted from it should be kept.',
    );
  }
  if (/Argon2/i.test(message)) {
    return fail('too_large', 'The file asks for more key-stretching memory than Keyward allows.');
  }
  if (stage === 'stream') {
    return fail(
      'invalid_input',
      'The file is damaged: decryption failed part-way. Nothing decrypted from it should be kept.',
    );
  }
  if (/No public key encrypted session key packet found|No decryption key packets found/i.test(message)) {
    return fail('forbidden', 'This file is not encrypted for any of your keys.');
  }
  if (/Key Data Integrity failed|Session key decryption failed|Error decrypting session key/i.test(message)) {
    return fail(
      'invalid_input',
      'The part of the file that holds its key for you is damaged; the file cannot be opened.',
    );
  }
  if (/not authenticated/i.test(message)) {
    return fail('invalid_input', UNPROTECTED_MESSAGE);
  }
  if (/Decryption key is not decrypted/i.test(message)) {
    return fail('invalid_input', 'The private key is locked; unlock it first.');
  }
  return fail(
    'invalid_input',
    `The file could not be decrypted: ${message.replace(/^Error decrypting message: /, '')}`,
  );
}
