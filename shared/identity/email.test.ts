import { describe, expect, it } from 'vitest';
import { Email } from './email';

describe('Email.parse: one normalisation rule', () => {
  it.each([
    ['plain', 'alice@example.org', 'alice@example.org'],
    ['mixed case, lower-cased as a whole', 'Joe.Doe@Example.ORG', 'joe.doe@example.org'],
    ['angle brackets and white space', '  <Alice@Example.org> ', 'alice@example.org'],
    ['plus addressing kept', 'alice+files@example.org', 'alice+files@example.org'],
    ['subdomain', 'bob@mail.eu.example.com', 'bob@mail.eu.example.com'],
    ['unicode local part, NFC', 'jose\u0301@example.org', 'jos\u00e9@example.org'],
    ['unicode domain', 'anna@bücher.example', 'anna@bücher.example'],
  ])('accepts %s', (_name, input, expected) => {
    expect(Email.parse(input)).toBe(expected);
  });

  it.each([
    ['empty', '', /required/],
    ['no @', 'alice.example.org', /not an e-mail address/],
    ['nothing before @', '@example.org', /not an e-mail address/],
    ['no domain dot', 'alice@localhost', /valid domain/],
    ['empty label', 'alice@example..org', /valid domain/],
    ['label starting with a hyphen', 'alice@-example.org', /valid domain/],
    ['space inside', 'ali ce@example.org', /not an e-mail address/],
    ['a user id, not an address', 'Alice <alice@example.org>', /not an e-mail address/],
    ['two @', 'a@b@example.org', /not an e-mail address/],
    [
      'control character (header injection)',
      'alice@example.org\r\nBcc: x@evil.example',
      /control characters/,
    ],
    ['too long', `${'a'.repeat(250)}@example.org`, /at most 254/],
    ['local part over 64', `${'a'.repeat(65)}@example.org`, /not an e-mail address/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => Email.parse(input)).toThrow(message);
  });
});

describe('Email.fromUserId', () => {
  it.each([
    ['name and address', 'Alice Example <Alice@Example.org>', 'alice@example.org'],
    ['name, comment and address', 'Bob (work) <bob@example.com>', 'bob@example.com'],
    ['bare address', 'carol@example.net', 'carol@example.net'],
    ['name only', 'Dave', null],
    ['broken brackets', 'Eve <eve@example.org', null],
    [
      'user-id spoofing: a second address GnuPG would read first',
      'Victim <victim@bank.example> <me@evil.example>',
      null,
    ],
    ['user-id spoofing: an address in the name part', 'victim@bank.example <me@evil.example>', null],
    ['a stray bracket', 'Mallory > <me@evil.example>', null],
    ['empty', '', null],
  ])('%s', (_name, userId, expected) => {
    expect(Email.fromUserId(userId)).toBe(expected);
  });

  it('splits local part and domain', () => {
    const e = Email.parse('joe.doe@example.org');
    expect(Email.localPart(e)).toBe('joe.doe');
    expect(Email.domain(e)).toBe('example.org');
  });
});
