import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestKey, NOW, type TestKey } from '../../tests/fixtures/test-keys';
import type { UnlockedKey } from './lock-key';
import { signText, verifyTextSignature } from './sign-text';

const TEXT = 'Keyward test statement\naction: request\nchallenge: abc\n';
const LATER = new Date(NOW.getTime() + 60_000);
let alice: TestKey;
let bob: TestKey;
beforeAll(async () => {
  [alice, bob] = await Promise.all([makeTestKey(), makeTestKey({ email: 'bob@example.org' })]);
});

const verifying = (over: Partial<Parameters<typeof verifyTextSignature>[0]> = {}) =>
  verifyTextSignature({ text: TEXT, signature: '', key: alice.publicKeyArmored, date: LATER, ...over });

describe('signText / verifyTextSignature', () => {
  it('a signature by the key verifies and names the key and the time it was made', async () => {
    const signature = await signText({ key: alice.unlocked, text: TEXT, date: NOW });
    expect(signature).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    expect(await verifying({ signature })).toEqual({
      fingerprint: alice.summary.fingerprint,
      signedAt: NOW.getTime(),
    });
  });

  it('a private key given to verify is used by its public part', async () => {
    const signature = await signText({ key: alice.unlocked, text: TEXT, date: NOW });
    expect((await verifying({ signature, key: alice.unlocked })).fingerprint).toBe(alice.summary.fingerprint);
  });

  it('forgery: another key, other text, or a signature from after `date` are all refused', async () => {
    const signature = await signText({ key: alice.unlocked, text: TEXT, date: NOW });
    await expect(verifying({ signature, key: bob.publicKeyArmored })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(verifying({ signature, text: `${TEXT}action: refuse\n` })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(verifying({ signature, date: new Date(NOW.getTime() - 1000) })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(verifying({ signature: 'not a signature' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('two signatures in one (a valid one beside a forged one) are refused', async () => {
    const [mine, theirs] = await Promise.all([
      signText({ key: alice.unlocked, text: TEXT, date: NOW }),
      signText({ key: bob.unlocked, text: TEXT, date: NOW }),
    ]);
    const both = new openpgp.Signature(new openpgp.PacketList());
    for (const armored of [mine, theirs]) {
      const read = await openpgp.readSignature({ armoredSignature: armored });
      both.packets.push(...read.packets);
    }
    expect(both.packets).toHaveLength(2);
    await expect(verifying({ signature: both.armor() })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a revoked key signs nothing that verifies', async () => {
    const signature = await signText({ key: alice.unlocked, text: TEXT, date: NOW });
    const { publicKey: revoked } = await openpgp.revokeKey({
      key: await openpgp.readPrivateKey({ armoredKey: alice.unlocked }),
      date: NOW,
      format: 'armored',
    });
    await expect(verifying({ signature, key: revoked })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a signature by a signing subkey names the primary fingerprint', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ email: 'carol@example.org' }],
      subkeys: [{}, { sign: true }],
      date: NOW,
      format: 'armored',
    });
    const signature = await signText({ key: privateKey as UnlockedKey, text: TEXT, date: NOW });
    const issuer = (await openpgp.readSignature({ armoredSignature: signature })).getSigningKeyIDs()[0]!;
    const key = await openpgp.readKey({ armoredKey: publicKey });
    expect(issuer.equals(key.getKeyID())).toBe(false); // made by the subkey
    expect((await verifying({ signature, key: publicKey })).fingerprint).toBe(
      key.getFingerprint().toUpperCase(),
    );
  });
});
