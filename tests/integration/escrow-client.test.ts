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
    ).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'code_required' } });
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

  it('opting out later deletes the escrow: neither the passphrase nor the recovery code opens anything, and the address can escrow again', async () => {
    const { recoveryPhrase, deviceToken } = await escrowed('eve@example.org', 'eve passphrase');
    await expect(
      client.deleteAccount({ address: 'eve@example.org', passphrase: 'eve wrong passphrase' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await client.deleteAccount({ address: 'eve@example.org', passphrase: 'eve passphrase' });
    await expect(
      client.restoreWithPassphrase({ address: 'eve@example.org', passphrase: 'eve passphrase', deviceToken }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      client.recover({
        address: 'eve@example.org',
        recoveryPhrase,
        code: '12345678', // no "recover" code is mailed for an address without an escrow
        newPassphrase: 'eve new passphrase',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const again = await escrowed('eve@example.org', 'eve second passphrase');
    expect(again.recoveryPhrase).not.toBe(recoveryPhrase);
  });

  it('escrowing an address that has an escrow already is refused (account_exists), and the first escrow stays', async () => {
    const first = await escrowed('fay@example.org', 'fay first passphrase');
    await expect(escrowed('fay@example.org', 'fay hijacking passphrase')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already escrowed') as unknown,
    });
    const restored = await client.restoreWithPassphrase({
      address: 'fay@example.org',
      passphrase: 'fay first passphrase',
      deviceToken: first.deviceToken,
    });
    expect(await fingerprintOf(restored.key)).toBe(first.key.fingerprint);
  });

  it('online guessing: the 11th login start is locked with the time to wait, even with the right passphrase, and the holder is mailed', async () => {
    const { deviceToken } = await escrowed('gus@example.org', 'gus right passphrase');
    const mailsBefore = ks.mail.countTo('gus@example.org');
    for (let guess = 1; guess <= 10; guess++) {
      await expect(
        client.restoreWithPassphrase({
          address: 'gus@example.org',
          passphrase: `guess ${guess}`,
          deviceToken,
        }),
      ).rejects.toMatchObject({ code: 'forbidden' });
    }
    const locked = client.restoreWithPassphrase({
      address: 'gus@example.org',
      passphrase: 'gus right passphrase',
      deviceToken,
    });
    await expect(locked).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number) as unknown },
      message: expect.stringMatching(
        /Too many attempts for this address\. Try again in \d+ minutes?\./,
      ) as unknown,
    });
    const error = (await locked.catch((e: unknown) => e)) as { details: { retryAfterSeconds: number } };
    expect(error.details.retryAfterSeconds).toBeGreaterThan(0);
    await ks.mail.next('gus@example.org', 5000, mailsBefore);
  });

  it('two devices changing the passphrase at once: the later write is refused as stale, and only the winner’s passphrase works', async () => {
    const { key, deviceToken } = await escrowed('hal@example.org', 'hal first passphrase');
    let raced = false;
    const racing = createEscrowClient({
      baseUrl: ks.url,
      now: () => new Date(),
      stretching: () => CHEAP_STRETCHING,
      // Just before this device's compare-and-swap write, another device completes its own change.
      fetch: async (input, init) => {
        if (init?.method === 'PUT' && !raced) {
          raced = true;
          await client.changePassphrase({
            address: 'hal@example.org',
            oldPassphrase: 'hal first passphrase',
            newPassphrase: 'hal winner passphrase',
            deviceToken,
          });
        }
        return fetch(input, init);
      },
    });
    await expect(
      racing.changePassphrase({
        address: 'hal@example.org',
        oldPassphrase: 'hal first passphrase',
        newPassphrase: 'hal loser passphrase',
        deviceToken,
      }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('changed meanwhile') as unknown,
    });
    expect(raced).toBe(true);
    for (const lost of ['hal first passphrase', 'hal loser passphrase']) {
      await expect(
        client.restoreWithPassphrase({ address: 'hal@example.org', passphrase: lost, deviceToken }),
      ).rejects.toMatchObject({ code: 'forbidden' });
    }
    const restored = await client.restoreWithPassphrase({
      address: 'hal@example.org',
      passphrase: 'hal winner passphrase',
      deviceToken,
    });
    expect(await fingerprintOf(restored.key)).toBe(key.fingerprint);
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
