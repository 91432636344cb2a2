import { describe, expect, it } from 'vitest';
import { parseSettingsInput } from './settings-input';

const good = {
  keyserverUrl: 'https://keys.example.org/',
  autoLockMinutes: '30',
  securityPhrase: 'river sage',
  lookupOrder: 'keyserver,wkd',
};

describe('parseSettingsInput', () => {
  it('accepts good settings and tidies them', () => {
    expect(parseSettingsInput({ ...good, keyserverUrl: ' https://keys.example.org/ ' })).toEqual({
      ok: true,
      settings: {
        keyserverUrl: 'https://keys.example.org',
        autoLockMinutes: 30,
        securityPhrase: 'river sage',
        lookupOrder: ['keyserver', 'wkd'],
      },
    });
  });

  it('accepts plain http to this machine', () => {
    expect(parseSettingsInput({ ...good, keyserverUrl: 'http://127.0.0.1:8080' }).ok).toBe(true);
  });

  it.each([
    ['keyserverUrl', 'keys.example.org', /^Enter the keyserver’s address/],
    ['keyserverUrl', 'ftp://keys.example.org', /^Enter the keyserver’s address/],
    ['keyserverUrl', 'http://keys.example.org', /needs an https:\/\/ address/],
    ['autoLockMinutes', '0', /from 1 to 1440/],
    ['autoLockMinutes', '1441', /from 1 to 1440/],
    ['autoLockMinutes', '2.5', /whole number/],
    ['autoLockMinutes', '', /whole number/],
    ['securityPhrase', '   ', /1 to 64 characters/],
    ['securityPhrase', 'x'.repeat(65), /1 to 64 characters/],
  ] as const)('%s %j is refused in words', (field, value, message) => {
    const parsed = parseSettingsInput({ ...good, [field]: value });
    expect(parsed).toEqual({ ok: false, errors: { [field]: expect.stringMatching(message) as unknown } });
  });

  it('reports every wrong field at once', () => {
    const parsed = parseSettingsInput({
      keyserverUrl: '',
      autoLockMinutes: 'x',
      securityPhrase: '',
      lookupOrder: 'keyserver,nowhere',
    });
    expect(parsed.ok ? [] : Object.keys(parsed.errors).sort()).toEqual([
      'autoLockMinutes',
      'keyserverUrl',
      'lookupOrder',
      'securityPhrase',
    ]);
  });
});
