import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscrowClient, type EscrowClient } from '../../shared/escrow';
import type { UnlockedKey } from '../../shared/openpgp';
import { codeIn, CHEAP_STRETCHING } from '../../keyserver/test-support/escrow-client';
import { makeTestKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';

// The extension's escrow client (shared/escrow) against the real keyserver: OPAQUE, real SQLite, codes read from
// real mails. Argon2 is cheap here (the stretching is the client's own business; the server cannot tell).
let ks: TestKeyserver;
let client: EscrowClient;
beforeAll(async () => {
  ks = await startTestKeyserver({
    RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000',
    RATE_ESCROW_CODES_PER_IP_HOUR: '1000',
  });
  client = createEscrowClient({
    fetch,
    baseUrl: ks.url,
    now: () => new Date(),
    stretching: () => CHEAP_STRETCHING,
  });
});
afterAll(() => ks?.close());

async function code(address: string, purpose: 'register' | 'release' | 'recover'): Promise<string> {
  const before = ks.mail.countTo(address);
  await client.requestCode(address, purpose);
  return codeIn(await ks.mail.next(address, 5000, before));
}

async function escrowed(address: string, passphrase: string) {
  const key = await makeTestKey([{ name: 'Owner', email: address }]);
  const created = await client.createAccount({
    address,
    code: await code(address, 'register'),
    passphrase,
    key: key.privateArmored as UnlockedKey,
    fingerprint: key.fingerprint,
    profile: 'argon2id-64m',
  });
  return { key, ...created };
}

const fingerprintOf = async (armored: string) =>
  (await openpgp.readPrivateKey({ armoredKey: armored })).getFingerprint().toUpperCase();

describe('escrow client against the keyserver', () => {
  it('escrows a key; a new device gets it back with address, passphrase and the mailed code', async () => {
    const { key, recoveryPhrase } = await escrowed('ana@example.org', 'ana passphrase one');
    expect(recoveryPhrase.split(' ')).toHaveLength(12);
    // A new device without the mailed code is told it needs one.
    await expect(
      client.restoreWithPassphrase({ address: 'ana@example.org', passphrase: 'ana passphrase one' }),
    ).rejects.toMatchObject({ code: 'forbidden', details: { codeRequired: 1 } });
    const restored = await client.restoreWithPassphrase({
      address: 'ana@example.org',
      passphrase: 'ana passphrase one',
      code: await code('ana@example.org', 'release'),
    });
    expect(await fingerprintOf(restored.key)).toBe(key.fingerprint);
    expect(restored.deviceToken).toMatch(/.{16,}/);
    // That device is known from now on: no code needed.
    const again = await client.restoreWithPassphrase({
      address: 'ana@example.org',
      passphrase: 'ana passphrase one',
      deviceToken: restored.deviceToken!,
    });
    expect(await fingerprintOf(again.key)).toBe(key.fingerprint);
  });

  it('a wrong passphrase fails on the client with a clear message', async () => {
    await escrowed('ben@example.org', 'ben right passphrase');
    await expect(
      client.restoreWithPassphrase({ address: 'ben@example.org', passphrase: 'ben wrong passphrase' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('Wrong passphrase') as unknown,
    });
  });

  it('recovers with the recovery code and a mailed code, then sets a new passphrase and a new recovery code', async () => {
    const { key, recoveryPhrase } = await escrowed('cai@example.org', 'cai forgotten passphrase');
    const typed = recoveryPhrase.toUpperCase().split(' ').join('\n');
    const recovered = await client.recover({
      address: 'cai@example.org',
      recoveryPhrase: typed,
      code: await code('cai@example.org', 'recover'),
      newPassphrase: 'cai brand new passphrase',
    });
    expect(await fingerprintOf(recovered.key)).toBe(key.fingerprint);
    expect(recovered.recoveryPhrase).not.toBe(recoveryPhrase);
    // The new passphrase works, the old one and the old recovery code do not.
    const restored = await client.restoreWithPassphrase({
      address: 'cai@example.org',
      passphrase: 'cai brand new passphrase',
      deviceToken: recovered.deviceToken,
    });
    expect(await fingerprintOf(restored.key)).toBe(key.fingerprint);
    await expect(
      client.restoreWithPassphrase({ address: 'cai@example.org', passphrase: 'cai forgotten passphrase' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      client.recover({
        address: 'cai@example.org',
        recoveryPhrase,
        code: await code('cai@example.org', 'recover'),
        newPassphrase: 'x y z w',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a passphrase change keeps the recovery code and makes the old passphrase stop working', async () => {
    const { key, recoveryPhrase, deviceToken } = await escrowed('dee@example.org', 'dee first passphrase');
    await client.changePassphrase({
      address: 'dee@example.org',
      oldPassphrase: 'dee first passphrase',
      newPassphrase: 'dee second passphrase',
      deviceToken,
    });
    await expect(
      client.restoreWithPassphrase({
        address: 'dee@example.org',
        passphrase: 'dee first passphrase',
        deviceToken,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const restored = await client.restoreWithPassphrase({
      address: 'dee@example.org',
      passphrase: 'dee second passphrase',
      deviceToken,
    });
    expect(await fingerprintOf(restored.key)).toBe(key.fingerprint);
    const recovered = await client.recover({
      address: 'dee@example.org',
      recoveryPhrase,
      code: await code('dee@example.org', 'recover'),
      newPassphrase: 'dee third passphrase',
    });
    expect(await fingerprintOf(recovered.key)).toBe(key.fingerprint);
  });

  it('a dead keyserver and a server pushing an unknown Argon2 profile give clear errors', async () => {
    const dead = createEscrowClient({ fetch, baseUrl: 'http://127.0.0.1:9', now: () => new Date() });
    await expect(dead.requestCode('x@example.org', 'register')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('did not answer') as unknown,
    });
    const hostile = createEscrowClient({
      baseUrl: 'http://hostile.invalid',
      now: () => new Date(),
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify({ loginId: 'x', loginResponse: 'y', profile: 'argon2id-64g' }), {
            status: 200,
          }),
        ),
    });
    await expect(
      hostile.restoreWithPassphrase({ address: 'x@example.org', passphrase: 'p' }),
    ).rejects.toThrow('does not accept');
  });
});
