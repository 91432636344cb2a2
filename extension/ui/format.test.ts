import { describe, expect, it } from 'vitest';
import { Fingerprint } from '../../shared/identity';
import {
  formatBytes,
  addressStateText,
  autoLockText,
  expiryText,
  formatDate,
  formatTime,
  groupFingerprint,
  keyTitle,
  keyTypeText,
} from './format';

describe('groupFingerprint', () => {
  it.each([
    ['abbde5b5cce2b0bc48b83bd7720cf4d76de3f74b', 'ABBD E5B5 CCE2 B0BC 48B8 3BD7 720C F4D7 6DE3 F74B'],
    ['A'.repeat(64), Array(16).fill('AAAA').join(' ')],
    ['ABCDEF', 'ABCD EF'],
  ])('%s', (input, expected) => expect(groupFingerprint(input)).toBe(expected));
});

describe('addressStateText', () => {
  it.each([
    ['published', 'Published'],
    ['pending', 'Waiting for you to confirm the mail sent to a@example.org'],
    ['unpublished', 'Not published'],
  ] as const)('%s', (state, text) => expect(addressStateText(state, 'a@example.org')).toBe(text));
});

// Local time, so the expectations are built the same way (the machine's time zone must not matter).
const at = new Date(2026, 0, 1, 14, 32).getTime();

describe('formatTime', () => {
  it.each([
    ['en-GB', '14:32'],
    ['en-US', '2:32 PM'],
  ])('in %s', (locale, text) => expect(formatTime(at, locale).replace(/\s/g, ' ')).toBe(text));
});

describe('autoLockText', () => {
  it('says when an unlocked key locks itself', () => {
    expect(autoLockText(at, 'en-GB')).toBe('Locks automatically at 14:32 if unused.');
  });
  it('says nothing for a locked key', () => expect(autoLockText(null)).toBe(''));
});

describe('expiryText', () => {
  const date = new Date(2027, 5, 1).getTime();
  it.each([
    [{ expires: null, expired: false }, 'Never'],
    [{ expires: date, expired: false }, '1 June 2027'],
    [{ expires: date, expired: true }, 'Expired on 1 June 2027'],
  ])('%o', (key, text) => expect(expiryText(key, 'en-GB')).toBe(text));
  it('writes dates in the given locale', () => expect(formatDate(date, 'en-US')).toBe('June 1, 2027'));
});

describe('keyTitle', () => {
  it('is the first user id', () => {
    expect(
      keyTitle({
        userIds: ['Alice <a@example.org>', 'a@work.example'],
        fingerprint: Fingerprint.parse('A'.repeat(40)),
      }),
    ).toBe('Alice <a@example.org>');
  });
  it('falls back to the key id for a key without user ids', () => {
    expect(
      keyTitle({ userIds: [], fingerprint: Fingerprint.parse('0123456789ABCDEF'.repeat(2) + '01234567') }),
    ).toBe('Key 89AB CDEF 0123 4567');
  });
});

describe('keyTypeText', () => {
  it('names the algorithm and the OpenPGP version', () => {
    expect(keyTypeText({ algorithm: 'Ed25519', version: 6 })).toBe('Ed25519, OpenPGP version 6');
  });
});

describe('formatBytes', () => {
  it('counts in decimal units with one decimal below ten', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
    expect(formatBytes(1024 ** 3)).toBe('1.1 GB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
  });
});
