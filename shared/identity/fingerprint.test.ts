import { describe, expect, it } from 'vitest';
import { isKeywardError } from '../errors';
import { Fingerprint } from './fingerprint';

const V4 = 'EB85BB5FA33A75E15E944E63F231550C4F47E38E';
const V6 = 'CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9';

describe('Fingerprint.parse', () => {
  it.each([
    ['canonical v4', V4, V4],
    ['lower case', V4.toLowerCase(), V4],
    ['0x prefix', `0x${V4}`, V4],
    ['0X prefix, lower case', `0X${V4.toLowerCase()}`, V4],
    ['groups of four with spaces', 'EB85 BB5F A33A 75E1 5E94  4E63 F231 550C 4F47 E38E', V4],
    ['surrounding white space and tabs', `\t ${V4}\n`, V4],
    ['v6', V6, V6],
    ['v6 lower case with 0x', `0x${V6.toLowerCase()}`, V6],
  ])('accepts %s', (_name, input, expected) => {
    expect(Fingerprint.parse(input)).toBe(expected);
  });

  it.each([
    ['empty', '', /40 hex digits/],
    ['non-hex letters', V4.replace('E', 'G'), /hexadecimal/],
    ['39 digits', V4.slice(1), /got 39/],
    ['41 digits', `${V4}0`, /got 41/],
    ['a 16-digit key id', V4.slice(-16), /key id, not a fingerprint/],
    ['a short key id', V4.slice(-8), /key id, not a fingerprint/],
    ['two 0x prefixes', `0x0x${V4}`, /hexadecimal/],
    ['punctuation', V4.replace(/(.{4})/g, '$1:'), /hexadecimal/],
    ['a huge input', 'Z'.repeat(100_000), /hexadecimal/],
  ])('refuses %s with a clear message', (_name, input, message) => {
    let caught: unknown;
    try {
      Fingerprint.parse(input);
    } catch (e) {
      caught = e;
    }
    expect(isKeywardError(caught, 'invalid_input')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message.length).toBeLessThan(200);
  });

  it('derives the key id: low 64 bits for v4, high 64 bits for v6 (RFC 9580 §5.5.4)', () => {
    expect(Fingerprint.keyId(Fingerprint.parse(V4))).toBe('F231550C4F47E38E');
    expect(Fingerprint.keyId(Fingerprint.parse(V6))).toBe('CB186C4F0609A697');
  });

  it('tells the version and formats for reading', () => {
    expect(Fingerprint.version(Fingerprint.parse(V4))).toBe(4);
    expect(Fingerprint.version(Fingerprint.parse(V6))).toBe(6);
    expect(Fingerprint.format(Fingerprint.parse(V4))).toBe(
      'EB85 BB5F A33A 75E1 5E94 4E63 F231 550C 4F47 E38E',
    );
    expect(Fingerprint.tryParse('nope')).toBeNull();
  });
});
