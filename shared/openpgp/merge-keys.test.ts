import { readPrivateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestKey, NOW, type TestKey } from '../../tests/fixtures/test-keys';
import type { UnlockedKey } from './lock-key';
import { mergePrivateKeys } from './merge-keys';
import { summarizeKey } from './summarize-key';

/** The same key with one more encryption subkey, as GnuPG's `addkey` would leave it. */
async function withExtraSubkey(unlocked: UnlockedKey): Promise<UnlockedKey> {
  const key = await readPrivateKey({ armoredKey: unlocked });
  const grown = await key.addSubkey({ type: 'ecc', curve: 'curve25519Legacy', date: NOW });
  return grown.armor() as UnlockedKey;
}

const subkeyCount = async (k: string) => (await summarizeKey(k, { date: NOW })).subkeys.length;

let alice: TestKey;
let newer: UnlockedKey;
beforeAll(async () => {
  alice = await makeTestKey();
  newer = await withExtraSubkey(alice.unlocked);
});

describe('mergePrivateKeys', () => {
  it('adds what the other copy has new (a subkey)', async () => {
    const merged = await mergePrivateKeys(alice.unlocked, newer, { date: NOW });
    expect(await subkeyCount(merged)).toBe((await subkeyCount(alice.unlocked)) + 1);
    const parsed = await readPrivateKey({ armoredKey: merged });
    expect(parsed.getKeys().every((k) => k.keyPacket.isDecrypted() === true)).toBe(true);
  });

  it('does not lose a subkey when an older backup is merged into a newer key', async () => {
    const merged = await mergePrivateKeys(newer, alice.unlocked, { date: NOW });
    expect(await subkeyCount(merged)).toBe(await subkeyCount(newer));
  });

  it('refuses to merge two different keys', async () => {
    const bob = await makeTestKey({ email: 'bob@example.org' });
    await expect(mergePrivateKeys(alice.unlocked, bob.unlocked, { date: NOW })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
