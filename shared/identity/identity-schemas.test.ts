import { describe, expect, it } from 'vitest';
import { emailSchema, fingerprintSchema } from './identity-schemas';

describe('value types as schemas', () => {
  it.each([
    ['a v4 fingerprint as pasted', '0x' + 'ab12 '.repeat(10), 'AB12'.repeat(10)],
    ['a v6 fingerprint', 'c'.repeat(64), 'C'.repeat(64)],
  ])('parse %s into its canonical form', (_name, input, canonical) => {
    expect(fingerprintSchema.parse(input)).toBe(canonical);
  });

  it.each([
    ['a key id', 'ABCDEF0123456789', /key id/],
    ['not hex', 'x'.repeat(40), /hexadecimal/],
    ['a number', 40, /expected string/],
  ])('refuse %s as an issue with the value type’s message, never by throwing', (_name, input, message) => {
    const result = fingerprintSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });

  it('normalises an address the one way (Email) and refuses a malformed one', () => {
    expect(emailSchema.parse(' <Alice@Example.ORG> ')).toBe('alice@example.org');
    expect(emailSchema.safeParse('alice').success).toBe(false);
  });
});
