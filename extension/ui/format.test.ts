import { describe, expect, it } from 'vitest';
import { addressStateText, formatTime, groupFingerprint } from './format';

describe('groupFingerprint', () => {
  it.each([
    ['abbde5b5cce2b0bc48b83bd7720cf4d76de3f74b', 'ABBD E5B5 CCE2 B0BC 48B8 3BD7 720C F4D7 6DE3 F74B'],
    ['A'.repeat(64), Array(16).fill('AAAA').join(' ')],
  ])('%s', (input, expected) => expect(groupFingerprint(input)).toBe(expected));
});

describe('addressStateText', () => {
  it.each([
    ['published', 'Published'],
    ['pending', 'Waiting for you to confirm the mail sent to a@example.org'],
    ['unpublished', 'Not published'],
  ] as const)('%s', (state, text) => expect(addressStateText(state, 'a@example.org')).toBe(text));
});

describe('formatTime', () => {
  it('shows hours and minutes', () => {
    expect(formatTime(Date.UTC(2026, 0, 1, 14, 32), 'en-GB')).toMatch(/\d\d:\d\d/);
  });
});
