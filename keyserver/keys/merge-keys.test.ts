import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { isKeywardError } from '../../shared/errors';
import { armoredKeyFixture, FIXTURE_NOW } from '../../tests/fixtures/keys/key-fixtures';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { mergeKeys } from './merge-keys';
import { purifyUpload } from './purify-upload';
import { servableKey } from './servable-key';

const now = FIXTURE_NOW;
const limits = DEFAULT_KEY_LIMITS;
const DAY = 86_400_000;
const BASE = new Date('2025-01-01T00:00:00Z');
const later = (days: number) => new Date(BASE.getTime() + days * DAY);

const stored = async (name: Parameters<typeof armoredKeyFixture>[0]) =>
  (await purifyUpload(armoredKeyFixture(name), limits, now))[0]!;
const aliceSecret = () => openpgp.readPrivateKey({ armoredKey: armoredKeyFixture('alice-v4.secret') });
const read = (packets: Uint8Array) => openpgp.readKey({ binaryKey: packets });

async function mergeError(existing: Uint8Array, update: Uint8Array) {
  try {
    await mergeKeys(existing, update, limits, now);
  } catch (e) {
    if (isKeywardError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected the merge to be refused');
}

describe('mergeKeys', () => {
  it('merges a new subkey, then a key revocation', async () => {
    const alice = await stored('alice-v4');
    const withSubkey = await (await aliceSecret()).addSubkey({ date: later(10) });
    const step1 = await mergeKeys(alice.packets, withSubkey.toPublic().write(), limits, now);
    expect(step1.keyIds).toHaveLength(3);
    expect(step1.keyIds[2]).toBe(withSubkey.subkeys[1]!.getKeyID().toHex().toUpperCase());

    const { publicKey: revocation } = await openpgp.revokeKey({
      key: await aliceSecret(),
      date: later(20),
      format: 'binary',
    });
    const step2 = await mergeKeys(step1.packets, revocation, limits, now);
    expect(step2).toMatchObject({ revoked: true, canEncrypt: false, emails: ['alice@example.org'] });
    expect(step2.keyIds).toEqual(step1.keyIds); // the update lacked the new subkey; the stored one stays
    expect((await read(step2.packets)).revocationSignatures).toHaveLength(1);
  });

  it('merges a user ID revocation: the user ID stays (with it), its address leaves the candidates', async () => {
    const alice = await stored('alice-v4');
    const secret = await aliceSecret();
    secret.users[0] = await secret.users[0]!.revoke(
      secret.keyPacket as openpgp.SecretKeyPacket,
      { flag: openpgp.enums.reasonForRevocation.userIDInvalid },
      later(5),
    );
    const merged = await mergeKeys(alice.packets, secret.toPublic().write(), limits, now);
    expect(merged.emails).toEqual([]);
    expect(merged.revokedEmails).toEqual(['alice@example.org']);
    expect((await read(merged.packets)).users[0]!.revocationSignatures).toHaveLength(1);
  });

  it('merges an update that carries no user ID (our own servable copy, coming back revoked)', async () => {
    const alice = await stored('alice-v4');
    const { publicKey } = await openpgp.revokeKey({
      key: await aliceSecret(),
      date: later(3),
      format: 'armored',
    });
    const [revoked] = await purifyUpload(publicKey, limits, now);
    const userIdLess = await servableKey(revoked!.packets, [], now);
    const merged = await mergeKeys(alice.packets, userIdLess, limits, now);
    expect(merged).toMatchObject({ revoked: true, emails: ['alice@example.org'] });
  });

  it('takes a newer self-signature: a changed expiry applies', async () => {
    const alice = await stored('alice-v4');
    const { publicKey } = await openpgp.reformatKey({
      privateKey: await aliceSecret(),
      userIDs: [{ name: 'Alice Example', email: 'alice@example.org' }],
      keyExpirationTime: 800 * 86_400,
      date: later(7),
      format: 'binary',
    });
    const merged = await mergeKeys(alice.packets, publicKey, limits, now);
    expect(merged.expires).toBe(BASE.getTime() + 800 * DAY);
    expect((await read(merged.packets)).users[0]!.selfCertifications).toHaveLength(2);
  });

  it('refuses to merge a different key (conflict)', async () => {
    const alice = await stored('alice-v4');
    const bob = await stored('bob-v6');
    expect(await mergeError(alice.packets, bob.packets)).toEqual({
      code: 'conflict',
      message: `The update is for key ${bob.fingerprint}, not for key ${alice.fingerprint}; they cannot be merged.`,
    });
  });

  it('adds none of the third-party certifications of a flooded update', async () => {
    const flooded = await stored('flooded-certifications');
    const update = new TextEncoder().encode(armoredKeyFixture('flooded-certifications'));
    const merged = await mergeKeys(flooded.packets, update, limits, now);
    expect(merged.packets).toEqual(flooded.packets);
  });

  it('ignores a forged key revocation (denial of service against the key)', async () => {
    const alice = await stored('alice-v4');
    const { publicKey } = await openpgp.revokeKey({
      key: await aliceSecret(),
      date: later(3),
      format: 'binary',
    });
    // Someone without Alice's private key sends "her" key with a revocation that does not verify.
    const sigBytes = (await read(publicKey)).revocationSignatures[0]!.write();
    const forged = new Uint8Array(publicKey);
    forged[Buffer.from(forged).indexOf(Buffer.from(sigBytes)) + sigBytes.length - 1]! ^= 0xff;
    const merged = await mergeKeys(alice.packets, forged, limits, now);
    expect(merged.revoked).toBe(false);
    expect(merged.packets).toEqual(alice.packets);
  });

  it('refuses a private key as an update', async () => {
    const alice = await stored('alice-v4');
    const secret = (await aliceSecret()).write();
    expect(await mergeError(alice.packets, secret)).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^This is a private key/) as string,
    });
  });

  it('re-applies the caps to the merged key', async () => {
    const alice = await stored('alice-v4');
    const secret = await aliceSecret();
    let withMore = secret;
    for (const d of [1, 2, 3]) withMore = await withMore.addSubkey({ date: later(d) });
    const merged = await mergeKeys(
      alice.packets,
      withMore.toPublic().write(),
      { ...limits, maxSubkeys: 2 },
      now,
    );
    expect(merged.keyIds.slice(1)).toEqual(
      withMore.subkeys.slice(2).map((s) => s.getKeyID().toHex().toUpperCase()),
    );
  });
});
