import { describe, expect, it } from 'vitest';
import { DEFAULT_KEY_LIMITS, keyLimitsFrom } from './key-limits';

describe('key limits', () => {
  it('defaults to the design values: 32 KiB key, 20 user IDs, 20 subkeys, 8 KiB packet, 1 KiB user ID, 5 signatures', () => {
    expect(DEFAULT_KEY_LIMITS).toEqual({
      maxKeyBytes: 32_768,
      maxUserIds: 20,
      maxSubkeys: 20,
      maxPacketBytes: 8_192,
      maxUserIdBytes: 1_024,
      maxSignaturesPerComponent: 5,
    });
  });

  it('takes the configurable ones from the keyserver config', () => {
    expect(keyLimitsFrom({ MAX_KEY_BYTES: 65_536, MAX_USER_IDS: 5, MAX_SUBKEYS: 7 })).toEqual({
      ...DEFAULT_KEY_LIMITS,
      maxKeyBytes: 65_536,
      maxUserIds: 5,
      maxSubkeys: 7,
    });
  });
});
