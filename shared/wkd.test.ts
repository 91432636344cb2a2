import { describe, expect, it } from 'vitest';
import { wkdHash, wkdUrls, zBase32 } from './wkd';

describe('WKD', () => {
  it('hashes the spec test vector (draft-koch-openpgp-webkey-service §3.1)', () => {
    expect(wkdHash('Joe.Doe')).toBe('iy9q119eutrkn8s1mk4r39qejnbu3n5q');
  });

  it('lower-cases only ASCII letters of the local part', () => {
    expect(wkdHash('JOE.DOE')).toBe(wkdHash('joe.doe'));
    // Non-ASCII letters are left as they are, so Ä and ä hash differently.
    expect(wkdHash('Ä')).not.toBe(wkdHash('ä'));
  });

  it.each([
    [[], ''],
    [[0], 'yy'],
    [[0xff], '9h'],
    [[0xf0, 0xbf, 0xc7], '6n9hq'], // RFC 6189 style example bits 11110 00010 11111 11100 0111(0)
  ])('z-base-32 encodes %j', (bytes, expected) => {
    expect(zBase32(new Uint8Array(bytes))).toBe(expected);
  });

  it('builds advanced and direct URLs', () => {
    expect(wkdUrls('Joe.Doe@Example.ORG')).toEqual({
      advanced:
        'https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
      direct: 'https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
    });
  });
});
