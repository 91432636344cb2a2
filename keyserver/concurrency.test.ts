import { afterAll, beforeAll, expect, it } from 'vitest';
import { Email } from '../shared/identity';
import { bearer, call, login, register } from './test-support/escrow-client';
import { linkIn } from './test-support/mail-catcher';
import { startTestKeyserver, type TestKeyserver } from './test-support/test-keyserver';
import { makeTestKey } from './test-support/test-keys';
import { confirmLink, vksRequestVerify, vksUpload } from './test-support/vks-client';

// Many verifications of different keys for one address, confirmed at the same moment: exactly one key ends up
// published for it, every lookup agrees on which, and no confirmation fails with a server error.
// (Across processes on one SQLite file: store/sqlite/sqlite-two-processes.test.ts.)
const HOUR = 60 * 60 * 1000;
let ks: TestKeyserver;
beforeAll(async () => {
  ks = await startTestKeyserver({
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '100',
    RATE_VERIFY_MAILS_PER_IP_HOUR: '100',
    RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '100',
  });
});
afterAll(async () => {
  await ks?.close();
});

it('parallel verifications of 16 different keys for one address leave exactly one published key', async () => {
  const address = 'contested@example.org';
  const keys = await Promise.all(Array.from({ length: 16 }, () => makeTestKey([{ email: address }])));
  const links: string[] = [];
  for (const key of keys) {
    const up = await vksUpload(ks, key.publicArmored);
    expect(up.status).toBe(200);
    const before = ks.mail.countTo(address);
    // At most five verification mails an hour go to one address, whatever the keys: let an hour pass.
    if (links.length % 5 === 4) ks.clock.advance(HOUR);
    const rv = await vksRequestVerify(ks, up.body.token, [address]);
    expect(rv.body.status[address]).toBe('pending');
    links.push(linkIn(await ks.mail.next(address, 5000, before), '/verify/'));
  }

  const statuses = await Promise.all(links.map(async (link) => (await confirmLink(link)).status));
  expect(statuses.every((s) => s === 200 || s === 403 || s === 409)).toBe(true);
  expect(statuses).toContain(200);

  const published = await ks.store.bindings.byEmail(address as never);
  expect(published).not.toBeNull();
  expect(keys.map((k) => k.fingerprint)).toContain(published!.fingerprint);
  const served = await fetch(`${ks.url}/vks/v1/by-email/${address}`);
  const byFingerprint = await fetch(`${ks.url}/vks/v1/by-fingerprint/${published!.fingerprint}`);
  expect(served.status).toBe(200);
  expect(await served.text()).toBe(await byFingerprint.text());
  // Every other key is still stored, but none is served for the address.
  const hkp = await fetch(`${ks.url}/pks/lookup?op=index&options=mr&search=${address}`);
  expect((await hkp.text()).match(/^pub:/gm)).toHaveLength(1);
});

it('parallel escrow PUTs with the same expectedVersion leave exactly one winner; the others get 409 stale', async () => {
  const address = 'cas@example.org';
  await register(ks, address, 'passphrase');
  const { sessionToken } = await login(ks, address, 'passphrase');
  const armored = (n: number) => `-----BEGIN PGP MESSAGE-----\n\nwriter ${n}\n-----END PGP MESSAGE-----\n`;
  const answers = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      call(ks, 'PUT', '/escrow', { expectedVersion: 1, escrow: armored(i) }, bearer(sessionToken)),
    ),
  );
  const winners = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
  expect(winners).toHaveLength(1);
  expect(answers.filter((a) => a.status === 409 && a.body.reason === 'stale')).toHaveLength(15);
  const stored = await ks.store.escrow.accounts.get(Email.parse(address));
  expect(stored).toMatchObject({ version: 2, escrow: armored(winners[0]!) });
});
