import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { makeTestKey } from '../../tests/fixtures/test-keys';
import { isKeywardError } from '../errors';
import { exportForGnuPG } from './export-for-gnupg';
import { unlockKey } from './lock-key';

// The GnuPG import itself is in tests/interop/gnupg-private-key-export.test.ts.
describe('exportForGnuPG', () => {
  it('re-locks with iterated+salted S2K and CFB (usage 254), the form GnuPG 2.2 reads', async () => {
    const alice = await makeTestKey();
    const exported = await exportForGnuPG(alice.privateKeyArmored, alice.passphrase);
    const key = await openpgp.readPrivateKey({ armoredKey: exported });
    for (const { keyPacket } of key.getKeys()) {
      expect(keyPacket).toMatchObject({
        s2kUsage: 254,
        symmetric: openpgp.enums.symmetric.aes256,
        s2k: { type: 'iterated', c: 255 },
      });
    }
    await expect(unlockKey(exported, alice.passphrase)).resolves.toContain('PRIVATE KEY BLOCK');
  });

  it('refuses a wrong passphrase', async () => {
    const alice = await makeTestKey();
    const error: unknown = await exportForGnuPG(alice.privateKeyArmored, 'wrong').catch((e: unknown) => e);
    expect(isKeywardError(error, 'forbidden')).toBe(true);
  });

  it('refuses a v6 key, which GnuPG cannot read', async () => {
    const bob = await makeTestKey({ version: 6 });
    const error: unknown = await exportForGnuPG(bob.privateKeyArmored, bob.passphrase).catch(
      (e: unknown) => e,
    );
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toMatch(/v6/);
  });
});
