import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/fixtures/test-keys';
import { publicKeyOf, splitKeys } from './split-keys';
import { summarizeKey } from './summarize-key';

const date = new Date('2025-06-01T00:00:00Z');

describe('splitKeys', () => {
  it('splits a keyring of two armored keys into two keys', async () => {
    const ring = readFixture('gnupg-ed25519.pub') + '\n' + readFixture('gnupg-rsa3072.pub');
    const keys = await splitKeys(ring);
    expect(keys).toHaveLength(2);
    const fingerprints = await Promise.all(
      keys.map(async (k) => (await summarizeKey(k, { date })).fingerprint),
    );
    expect(fingerprints).toEqual([
      'ABBDE5B5CCE2B0BC48B83BD7720CF4D76DE3F74B',
      '5E46AA4D7926B4FBC5BB57926D11880E96E8A640',
    ]);
  });

  it('refuses input that holds no key', async () => {
    await expect(splitKeys('hello')).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('publicKeyOf', () => {
  it('drops the secret material of a private key', async () => {
    const armored = await publicKeyOf(readFixture('gnupg-ed25519.sec'));
    expect(armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const summary = await summarizeKey(armored, { date });
    expect(summary).toMatchObject({
      isPrivate: false,
      fingerprint: 'ABBDE5B5CCE2B0BC48B83BD7720CF4D76DE3F74B',
    });
  });
});
