import { describe, expect, it } from 'vitest';
import { KeywardError } from '../errors';
import { decryptionError } from './decryption-error';

describe('decryptionError', () => {
  // What openpgp.js 6 throws, in Node and (WebCrypto) browser wording.
  it.each<[string, 'start' | 'stream', string, RegExp]>([
    ['Error decrypting message: Unexpected end of packet', 'start', 'invalid_input', /incomplete/],
    ['Unexpected end of packet', 'stream', 'invalid_input', /incomplete/],
    ['Unsupported state or unable to authenticate data', 'stream', 'invalid_input', /tampered/],
    ['Error decrypting message: Authentication tag mismatch', 'start', 'invalid_input', /tampered/],
    ['Error decrypting message: Modification detected.', 'start', 'invalid_input', /tampered/],
    [
      'Error decrypting message: No public key encrypted session key packet found.',
      'start',
      'forbidden',
      /not encrypted for/,
    ],
    [
      'Error decrypting message: Session key decryption failed.',
      'start',
      'invalid_input',
      /holds its key for you is damaged/,
    ],
    [
      'Error decrypting message: Key Data Integrity failed',
      'start',
      'invalid_input',
      /holds its key for you is damaged/,
    ],
    [
      'Error decrypting message: Message is not authenticated.',
      'start',
      'invalid_input',
      /without an integrity check/,
    ],
    ['Argon2 required memory exceeds `config.maxArgon2MemoryExponent`', 'start', 'too_large', /memory/],
    [
      'Error decrypting message: Decryption key is not decrypted.',
      'start',
      'invalid_input',
      /unlock it first/,
    ],
    ['something new', 'stream', 'invalid_input', /damaged: decryption failed part-way/],
    [
      'Error decrypting message: something new',
      'start',
      'invalid_input',
      /could not be decrypted: something new$/,
    ],
  ])('%s (%s) -> %s', (message, stage, code, text) => {
    const mapped = decryptionError(new Error(message), stage);
    expect(mapped).toBeInstanceOf(KeywardError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(text);
    expect((mapped as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('passes our own errors through', () => {
    const ours = new KeywardError('forbidden', 'x');
    expect(decryptionError(ours, 'start')).toBe(ours);
  });
});
