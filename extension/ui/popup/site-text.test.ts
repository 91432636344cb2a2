import { describe, expect, it } from 'vitest';
import { siteText } from './site-text';

describe('siteText', () => {
  it.each([
    [undefined, undefined, /cannot see/],
    ['chrome://extensions/', undefined, /browser page/],
    [
      'https://files.example.com/upload?x=1',
      undefined,
      /^files\.example\.com: uploads on this site are not encrypted/,
    ],
    [
      'https://files.example.com/',
      {
        origin: 'https://files.example.com',
        enabled: true,
        encryptedFor: ['Alice <a@example.org>'],
        recipientProblems: [],
        recipients: { groups: [], people: [] },
        strict: false,
        outputName: 'pgp' as const,
        forGnuPG: false,
      },
      /^files\.example\.com: uploads are encrypted for Alice <a@example\.org>, as name\.ext\.pgp\.$/,
    ],
    [
      'https://files.example.com/',
      {
        origin: 'https://files.example.com',
        enabled: true,
        encryptedFor: ['Alice <a@example.org>'],
        recipientProblems: [],
        recipients: { groups: [], people: [] },
        strict: true,
        outputName: 'same' as const,
        forGnuPG: true,
      },
      /keeping their names\. Files are chosen in Keyward’s own picker\. GnuPG can open them\.$/,
    ],
  ])('%s', (url, state, text) => expect(siteText(url, state)).toMatch(text));
});
