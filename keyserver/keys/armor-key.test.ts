import { describe, expect, it } from 'vitest';
import { armoredKeyFixture, FIXTURE_NOW } from '../../tests/fixtures/keys/key-fixtures';
import { armorKey } from './armor-key';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { purifyUpload } from './purify-upload';

const purified = async (name: 'alice-v4' | 'bob-v6') =>
  (await purifyUpload(armoredKeyFixture(name), DEFAULT_KEY_LIMITS, FIXTURE_NOW))[0]!;

describe('armorKey', () => {
  it('armors a v4 key with the CRC-24 line GnuPG 2.2 expects, and reads back the same', async () => {
    const alice = await purified('alice-v4');
    const armored = armorKey(alice.packets);
    expect(armored).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n/);
    expect(armored).toMatch(/\n=[A-Za-z0-9+/]{4}\n-----END PGP PUBLIC KEY BLOCK-----\n$/);
    expect((await purifyUpload(armored, DEFAULT_KEY_LIMITS, FIXTURE_NOW))[0]!.packets).toEqual(alice.packets);
  });

  it('armors a v6 key without a CRC-24 line', async () => {
    const armored = armorKey((await purified('bob-v6')).packets);
    expect(armored).not.toMatch(/\n=[A-Za-z0-9+/]{4}\n/);
  });
});
