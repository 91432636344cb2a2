import { describe, expect, it } from 'vitest';
import { siteText } from './site-text';

describe('siteText', () => {
  it.each([
    [undefined, /cannot see/],
    ['chrome://extensions/', /browser page/],
    ['https://files.example.com/upload?x=1', /^files\.example\.com: uploads on this site are not encrypted/],
  ])('%s', (url, text) => expect(siteText(url)).toMatch(text));
});
