import { describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import { DEFAULT_KEY_LIMITS, purifyUpload } from '../keys';
import { makeTestKey } from '../test-support/test-keys';
import { createServedKeyCache } from './served-key-cache';

describe('served-key cache', () => {
  it('filters to published user ids, and stays within its byte budget (memory exhaustion with huge keys)', async () => {
    const now = new Date();
    const keys = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          (
            await purifyUpload(
              (await makeTestKey([{ email: `c${i}@example.org` }])).publicArmored,
              DEFAULT_KEY_LIMITS,
              now,
            )
          )[0]!,
      ),
    );
    const one = keys[0]!.packets.length * 3; // a little over one entry (binary plus armor)
    const cache = createServedKeyCache({ maxBytes: one });
    const served = await cache(keys[0]!.packets, [Email.parse('c1@example.org')], now);
    expect(served.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(await cache(keys[0]!.packets, [Email.parse('c1@example.org')], now)).toBe(served);
    await cache(keys[1]!.packets, [], now);
    await cache(keys[2]!.packets, [], now);
    // The first entry was evicted to stay in budget: a new object comes back.
    expect(await cache(keys[0]!.packets, [Email.parse('c1@example.org')], now)).not.toBe(served);
  });
});
