import { describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../identity';
import { grantTermsText, payloadSha256, type GrantTerms } from './grant-terms';
import { statementText } from './statement';

const terms: GrantTerms = {
  grantId: '0123456789abcdef0123456789abcdef',
  version: 2,
  ownerAddress: Email.parse('Owner@Example.org'),
  ownerFingerprint: Fingerprint.parse('a'.repeat(40)),
  trustedAddress: Email.parse('trusted@example.org'),
  trustedFingerprint: Fingerprint.parse('B'.repeat(64)),
  waitingDays: 30,
  kind: 'key',
  createdAt: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  payloadSha256: 'c'.repeat(64),
};

describe('the signed texts', () => {
  it('the terms text names every field, one a line, in a fixed order', () => {
    expect(grantTermsText(terms)).toBe(
      [
        'Keyward digital legacy grant',
        'format: 1',
        'grant: 0123456789abcdef0123456789abcdef',
        'version: 2',
        'owner: owner@example.org',
        `owner-key: ${'A'.repeat(40)}`,
        'trusted: trusted@example.org',
        `trusted-key: ${'B'.repeat(64)}`,
        'waiting-days: 30',
        'kind: key',
        'created: 2026-01-02T03:04:05.006Z',
        `payload-sha256: ${'c'.repeat(64)}`,
        '',
      ].join('\n'),
    );
  });

  it('line injection: a value with a line break cannot add a line to a signed text', () => {
    const forged = { ...terms, kind: 'key\nwaiting-days: 1' } as unknown as GrantTerms;
    expect(() => grantTermsText(forged)).toThrow(/control characters/);
    expect(() => statementText({ action: 'request', grantId: 'x\raction: refuse', challenge: 'c' })).toThrow(
      /control characters/,
    );
  });

  it('the statement text shows absent fields as "-"', () => {
    expect(statementText({ action: 'list-trusted', challenge: 'ch' })).toBe(
      'Keyward digital legacy statement\naction: list-trusted\ngrant: -\nrequest: -\nowner: -\nchallenge: ch\n',
    );
  });

  it('the payload hash is SHA-256 of the armored text', () => {
    expect(payloadSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
