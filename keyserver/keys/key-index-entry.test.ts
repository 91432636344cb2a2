import { describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import { armoredKeyFixture, FIXTURE_NOW } from '../../tests/fixtures/keys/key-fixtures';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { keyIndexEntry } from './key-index-entry';
import { purifyUpload } from './purify-upload';

const now = FIXTURE_NOW;
const stored = async (name: Parameters<typeof armoredKeyFixture>[0]) =>
  (await purifyUpload(armoredKeyFixture(name), DEFAULT_KEY_LIMITS, now))[0]!;
const CREATED = Date.parse('2025-01-01T00:00:00Z');

describe('keyIndexEntry', () => {
  it('describes a v4 EdDSA key and its published user ID', async () => {
    const alice = await stored('alice-v4');
    expect(await keyIndexEntry(alice.packets, [Email.parse('alice@example.org')], now)).toEqual({
      fingerprint: '44218DCD970A961F92FECE69AFB3F6DAFDD98539',
      algorithm: 22,
      algorithmName: 'eddsaLegacy',
      bits: 255,
      created: CREATED,
      expires: null,
      revoked: false,
      expired: false,
      userIds: [
        { userId: 'Alice Example <alice@example.org>', created: CREATED, expires: null, revoked: false },
      ],
    });
  });

  it('lists no unpublished user ID', async () => {
    const alice = await stored('alice-v4');
    expect((await keyIndexEntry(alice.packets, [Email.parse('other@example.org')], now)).userIds).toEqual([]);
  });

  it('describes a v6 Ed25519 key', async () => {
    const bob = await stored('bob-v6');
    expect(await keyIndexEntry(bob.packets, [], now)).toMatchObject({
      algorithm: 27,
      algorithmName: 'ed25519',
      bits: 255,
      created: CREATED,
    });
  });

  it('marks expired and revoked keys', async () => {
    const expired = await stored('expired');
    expect(await keyIndexEntry(expired.packets, [], now)).toMatchObject({
      created: Date.parse('2024-01-01T00:00:00Z'),
      expires: Date.parse('2024-01-31T00:00:00Z'),
      expired: true,
      revoked: false,
    });
    // The same key, looked at before it expired.
    expect((await keyIndexEntry(expired.packets, [], new Date('2024-01-15'))).expired).toBe(false);
    const revoked = await stored('revoked');
    expect(await keyIndexEntry(revoked.packets, [Email.parse('dave@example.org')], now)).toMatchObject({
      revoked: true,
      expired: false,
      userIds: [{ userId: 'Dave Example <dave@example.org>', revoked: false }],
    });
  });
});
