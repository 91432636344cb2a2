import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { Email } from '../../shared/identity';
import { armoredKeyFixture, FIXTURE_NOW } from '../../tests/fixtures/keys/key-fixtures';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { mergeKeys } from './merge-keys';
import { purifyUpload } from './purify-upload';
import { servableKey } from './servable-key';

const now = FIXTURE_NOW;
const read = (packets: Uint8Array) => openpgp.readKey({ binaryKey: packets });
const email = (s: string) => Email.parse(s);

async function twoAddressKey() {
  const { publicKey, privateKey } = await openpgp.generateKey({
    userIDs: [
      { name: 'Judy Work', email: 'judy@work.example' },
      { name: 'Judy Home', email: 'judy@home.example' },
    ],
    date: new Date('2025-01-01T00:00:00Z'),
    format: 'object',
  });
  const [key] = await purifyUpload(publicKey.write(), DEFAULT_KEY_LIMITS, now);
  return { key: key!, privateKey };
}

describe('servableKey', () => {
  it('hides unpublished addresses', async () => {
    const { key } = await twoAddressKey();
    expect(key.emails).toEqual(['judy@work.example', 'judy@home.example']);
    const served = await read(await servableKey(key.packets, [email('judy@home.example')], now));
    expect(served.getUserIDs()).toEqual(['Judy Home <judy@home.example>']);
    expect(served.subkeys).toHaveLength(1);
  });

  it('with nothing published, keeps the primary key, its revocations and subkeys, and no user ID', async () => {
    const [revoked] = await purifyUpload(armoredKeyFixture('revoked'), DEFAULT_KEY_LIMITS, now);
    const served = await servableKey(revoked!.packets, [], now);
    const packets = await openpgp.PacketList.fromBinary(
      served,
      // PacketList reads an object keyed by tag at run time; the typings say Map.
      {
        [openpgp.enums.packet.publicKey]: openpgp.PublicKeyPacket,
        [openpgp.enums.packet.publicSubkey]: openpgp.PublicSubkeyPacket,
        [openpgp.enums.packet.signature]: openpgp.SignaturePacket,
        [openpgp.enums.packet.userID]: openpgp.UserIDPacket,
      } as unknown as Map<openpgp.enums.packet, object>,
    );
    const tags = packets.map((p) => (p.constructor as unknown as { tag: number }).tag);
    expect(tags).toEqual([6, 2, 14, 2]); // key, revocation, subkey, binding
    expect((packets[1] as openpgp.SignaturePacket).signatureType).toBe(openpgp.enums.signature.keyRevocation);
  });

  it('keeps the revocation of a published user ID, so clients learn of it', async () => {
    const { key, privateKey } = await twoAddressKey();
    privateKey.users[0] = await privateKey.users[0]!.revoke(
      privateKey.keyPacket as openpgp.SecretKeyPacket,
      undefined,
      new Date('2025-02-01'),
    );
    const merged = await mergeKeys(key.packets, privateKey.toPublic().write(), DEFAULT_KEY_LIMITS, now);
    expect(merged.emails).toEqual(['judy@home.example']);
    const served = await read(await servableKey(merged.packets, [email('judy@work.example')], now));
    expect(served.users.map((u) => [u.userID?.userID, u.revocationSignatures.length])).toEqual([
      ['Judy Work <judy@work.example>', 1],
    ]);
  });
});
