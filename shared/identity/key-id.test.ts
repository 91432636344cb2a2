import { describe, expect, it } from 'vitest';
import { KeyId } from './key-id';

describe('KeyId.parse', () => {
  it.each([
    ['canonical', 'F231550C4F47E38E', 'F231550C4F47E38E'],
    ['lower case with 0x', '0xf231550c4f47e38e', 'F231550C4F47E38E'],
    ['spaced', 'F231 550C 4F47 E38E', 'F231550C4F47E38E'],
  ])('accepts %s', (_name, input, expected) => {
    expect(KeyId.parse(input)).toBe(expected);
  });

  it.each([
    ['a short 8-digit id, which anyone can collide', '4F47E38E', /Short key ids .* refused/],
    ['a short id with 0x', '0x4F47E38E', /Short key ids/],
    ['a fingerprint', 'EB85BB5FA33A75E15E944E63F231550C4F47E38E', /16 hex digits; got 40/],
    ['15 digits', 'F231550C4F47E38', /got 15/],
    ['non-hex', 'F231550C4F47E38Z', /hexadecimal/],
    ['empty', '', /got 0/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => KeyId.parse(input)).toThrow(message);
    expect(KeyId.tryParse(input)).toBeNull();
  });
});
