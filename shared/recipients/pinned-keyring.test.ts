import { describe, expect, it } from 'vitest';
import { CHEAP_ARGON2, makeTestKey, NOW } from '../../tests/fixtures/test-keys';
import { Email } from '../identity';
import { generateKey, readPublicKeys } from '../openpgp';
import {
  decideChange,
  emptyKeyring,
  pinExpected,
  pinnedKeyFor,
  removeKey,
  takeKey,
  unpinAddress,
} from './pinned-keyring';

// The pinning decisions on their own, with real keys; tests/integration/contacts.test.ts and
// the Node library's tests run them against a real keyserver.
const email = Email.parse('bob@example.org');

async function bobKey() {
  const key = await makeTestKey({ name: 'Bob', email });
  const [entry] = await readPublicKeys(key.publicKeyArmored, { date: NOW });
  return entry!;
}

describe('pinned keyring', () => {
  it('pins the first key seen for an address (trust on first use) and uses it', async () => {
    const ring = emptyKeyring<string>();
    const bob = await bobKey();
    expect(await takeKey(ring, bob, 'keyserver', NOW)).toEqual([]);
    expect(await pinnedKeyFor(ring, email, NOW)).toMatchObject({
      status: 'usable',
      fingerprint: bob.summary.fingerprint,
      userId: 'Bob <bob@example.org>',
    });
  });

  it('a substituted key for a pinned address is held as a change, never used, until someone decides', async () => {
    const ring = emptyKeyring<string>();
    const [bob, other] = [await bobKey(), await bobKey()];
    await takeKey(ring, bob, 'keyserver', NOW);
    expect(await takeKey(ring, other, 'keyserver', NOW)).toEqual([email]);
    expect(await pinnedKeyFor(ring, email, NOW)).toEqual({
      status: 'changed',
      email,
      pinned: bob.summary.fingerprint,
      offered: other.summary.fingerprint,
    });

    await decideChange(ring, email, false, NOW);
    expect(await pinnedKeyFor(ring, email, NOW)).toMatchObject({ fingerprint: bob.summary.fingerprint });
    // The refused offer does not come back.
    expect(await takeKey(ring, other, 'keyserver', NOW)).toEqual([]);

    const third = await bobKey();
    await takeKey(ring, third, 'wkd', NOW);
    expect(await decideChange(ring, email, true, NOW)).toEqual({ pinned: third.summary.fingerprint });
    expect(Object.keys(ring.keys)).toEqual([third.summary.fingerprint]);
    await expect(decideChange(ring, email, true, NOW)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a group file pins a fingerprint ahead of the key, and cannot re-pin an address that has one', async () => {
    const ring = emptyKeyring<string>();
    const [bob, impostor] = [await bobKey(), await bobKey()];
    expect(pinExpected(ring, [{ email, fingerprint: bob.summary.fingerprint }])).toEqual({ pinned: 1 });
    expect(await pinnedKeyFor(ring, email, NOW)).toMatchObject({ status: 'awaiting' });
    expect(await takeKey(ring, impostor, 'keyserver', NOW)).toEqual([email]);
    expect(await pinnedKeyFor(ring, email, NOW)).toMatchObject({ status: 'changed' });
    expect(pinExpected(ring, [{ email, fingerprint: impostor.summary.fingerprint }])).toEqual({ pinned: 0 });
  });

  it('an expired key stays pinned but is reported unusable, never used', async () => {
    const ring = emptyKeyring<string>();
    const day = 86_400_000;
    const expired = await generateKey({
      name: 'Eve',
      email: 'eve@example.org',
      passphrase: 'x',
      date: new Date(NOW.getTime() - 2 * day),
      expiresAt: new Date(NOW.getTime() - day),
      argon2: CHEAP_ARGON2,
    });
    const [entry] = await readPublicKeys(expired.publicKeyArmored, { date: NOW });
    await takeKey(ring, entry!, 'file', NOW);
    expect(await pinnedKeyFor(ring, Email.parse('eve@example.org'), NOW)).toMatchObject({
      status: 'unusable',
      summary: { expired: true },
    });
  });

  it('removing a key unpins its addresses', async () => {
    const ring = emptyKeyring<string>();
    const bob = await bobKey();
    await takeKey(ring, bob, 'file', NOW);
    removeKey(ring, bob.summary.fingerprint);
    expect(await pinnedKeyFor(ring, email, NOW)).toEqual({ status: 'none', email });
    expect(ring).toEqual(emptyKeyring());
  });

  it('unpinning one address keeps a key still pinned for another', async () => {
    const ring = emptyKeyring<string>();
    const key = await makeTestKey({ name: 'Bob', email });
    const [entry] = await readPublicKeys(key.publicKeyArmored, { date: NOW });
    await takeKey(ring, entry!, 'file', NOW);
    ring.pins['bob@work.example'] = { fingerprint: entry!.summary.fingerprint, dismissed: [] };
    unpinAddress(ring, email);
    expect(Object.keys(ring.keys)).toEqual([entry!.summary.fingerprint]);
    unpinAddress(ring, Email.parse('bob@work.example'));
    expect(ring).toEqual(emptyKeyring());
  });
});
