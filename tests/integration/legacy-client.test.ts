import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEscrowClient } from '../../shared/escrow';
import { isKeywardError, type KeywardError } from '../../shared/errors';
import { createLegacyClient, sealLegacyPayload, type LegacyClient } from '../../shared/legacy';
import { decryptFile, encryptFile, type UnlockedKey } from '../../shared/openpgp';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { CHEAP_STRETCHING, codeIn } from '../../keyserver/test-support/escrow-client';
import { subjectOf } from '../../keyserver/test-support/legacy-calls';
import { makeTestKey, type TestKey } from '../../keyserver/test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { publishKey } from '../../keyserver/test-support/vks-client';

// The client the extension will call (shared/legacy) against a real keyserver: real SQLite, real mails, the
// keyserver's clock moved through the waiting period. What the browser e2e test will do in two profiles, minus
// the browser.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OWNER = 'owner@example.org';
const TRUSTED = 'trusted@example.org';

let ks: TestKeyserver;
let client: LegacyClient;
let owner: TestKey;
let trusted: TestKey;
const ownerKey = () => owner.privateArmored as UnlockedKey;
const trustedKey = () => trusted.privateArmored as UnlockedKey;

beforeEach(async () => {
  ks = await startTestKeyserver({
    RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000',
    RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000',
  });
  ks.clock.advance(HOUR); // keys made below are then in the keyserver's past
  [owner, trusted] = await Promise.all([
    makeTestKey([{ name: 'Owner', email: OWNER }]),
    makeTestKey([{ name: 'Trusted', email: TRUSTED }]),
  ]);
  await publishKey(ks, owner.publicArmored, [OWNER]);
  client = createLegacyClient({ fetch, baseUrl: ks.url, now: () => ks.clock.now() });
});
afterEach(() => ks?.close());

const grant = (waitingDays: number) =>
  client.createGrant({
    ownerKey: ownerKey(),
    ownerAddress: OWNER,
    trustedAddress: TRUSTED,
    trustedKey: trusted.publicArmored,
    waitingDays,
  });

async function failure(promise: Promise<unknown>): Promise<KeywardError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isKeywardError(error)) throw new Error(`expected a KeywardError, got ${String(error)}`);
  return error;
}

const mailsTo = (to: string) => ks.mail.mails.filter((m) => m.to.includes(to)).map((m) => subjectOf(m));

describe('the legacy client against the keyserver', () => {
  it('the owner grants, the trusted person asks, the owner is mailed, the period passes, the trusted person opens an old file', async () => {
    // A file the owner encrypted to their own key before anything else.
    const encrypted = await encryptFile({
      plaintext: new TextEncoder().encode('the will, page 1'),
      recipients: [owner.publicArmored],
      date: ks.clock.now(),
    });
    const file = await readAllBytes(encrypted.ciphertext);

    const created = await grant(7);
    expect(created).toMatchObject({ terms: { version: 1, waitingDays: 7 }, ownerKeyCurrent: true });
    const { grants, rejected } = await client.listGrantsForMe({ trustedKey: trustedKey() });
    expect(rejected).toBe(0);
    expect(grants.map((g) => [g.terms.grantId, g.terms.ownerAddress])).toEqual([
      [created.terms.grantId, OWNER],
    ]);

    const asked = await client.requestAccess({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    expect(asked.request).toMatchObject({ state: 'pending', releaseAt: ks.clock.now().getTime() + 7 * DAY });
    await ks.background.drain();
    expect(mailsTo(OWNER).some((s) => s.startsWith(`${TRUSTED} asked for access`))).toBe(true);
    const own = await client.listOwnGrants({ ownerAddress: OWNER, credential: { key: ownerKey() } });
    expect(own[0]?.request?.state).toBe('pending');

    // Too early: the keyserver says why.
    const early = await failure(
      client.fetchReleasedKey({ grantId: created.terms.grantId, trustedKey: trustedKey() }),
    );
    expect(early.details).toMatchObject({ reason: 'not_released' });

    ks.clock.advance(7 * DAY);
    const status = await client.grantStatus({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    expect(status.request?.state).toBe('released');
    const released = await client.fetchReleasedKey({
      grantId: created.terms.grantId,
      trustedKey: trustedKey(),
      expectedOwnerFingerprint: owner.fingerprint,
    });
    expect(released).toMatchObject({ ownerFingerprint: owner.fingerprint, ownerAddress: OWNER, version: 1 });
    const opened = await decryptFile({ ciphertext: file, keys: [released.ownerKey], date: ks.clock.now() });
    expect(new TextDecoder().decode(await readAllBytes(opened.plaintext))).toBe('the will, page 1');
  });

  it('the owner refuses with their key: nothing is released, and the trusted person sees when to ask again', async () => {
    const created = await grant(2);
    const asked = await client.requestAccess({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    const refused = await client.refuseRequest({
      grantId: created.terms.grantId,
      requestId: asked.request!.id,
      credential: { key: ownerKey() },
    });
    expect(refused.request?.state).toBe('refused');
    ks.clock.advance(3 * DAY);
    const status = await client.grantStatus({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    expect(status.request?.state).toBe('refused');
    expect(status.nextRequestAt).toBe(refused.request!.endedAt! + 7 * DAY);
    const fetched = await failure(
      client.fetchReleasedKey({ grantId: created.terms.grantId, trustedKey: trustedKey() }),
    );
    expect(fetched.details).toMatchObject({ reason: 'not_released' });
    const again = await failure(
      client.requestAccess({ grantId: created.terms.grantId, trustedKey: trustedKey() }),
    );
    expect(again).toMatchObject({ code: 'rate_limited', details: { reason: 'cooling_down' } });
    expect(Number(again.details.retryAfterSeconds)).toBeGreaterThan(3 * 24 * 3600);
  });

  it('the owner refuses on a device without the key, after a key-backup login', async () => {
    const escrow = createEscrowClient({
      fetch,
      baseUrl: ks.url,
      now: () => ks.clock.now(),
      stretching: () => CHEAP_STRETCHING,
    });
    const before = ks.mail.countTo(OWNER);
    await escrow.requestCode(OWNER, 'register');
    await escrow.createAccount({
      address: OWNER,
      code: codeIn(await ks.mail.next(OWNER, 5000, before)),
      passphrase: 'owner backup passphrase',
      key: ownerKey(),
      fingerprint: owner.fingerprint,
      profile: 'argon2id-64m',
    });
    const created = await grant(5);
    const asked = await client.requestAccess({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    const sessionToken = await escrow.startSession({ address: OWNER, passphrase: 'owner backup passphrase' });
    const listed = await client.listOwnGrants({ ownerAddress: OWNER, credential: { sessionToken } });
    expect(listed.map((g) => g.request?.id)).toEqual([asked.request!.id]);
    const refused = await client.refuseRequest({
      grantId: created.terms.grantId,
      requestId: asked.request!.id,
      credential: { sessionToken },
    });
    expect(refused.history[0]).toMatchObject({ event: 'refused', proof: 'session' });
  });

  it('changes and revocations: a change cancels the pending request, a revocation withdraws the grant', async () => {
    const created = await grant(10);
    await client.requestAccess({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    const changed = await client.changeGrant({
      grantId: created.terms.grantId,
      currentVersion: 1,
      ownerKey: ownerKey(),
      ownerAddress: OWNER,
      trustedAddress: TRUSTED,
      trustedKey: trusted.publicArmored,
      waitingDays: 30,
    });
    expect(changed).toMatchObject({
      terms: { version: 2, waitingDays: 30 },
      request: { state: 'cancelled' },
    });
    const stale = await failure(
      client.changeGrant({
        grantId: created.terms.grantId,
        currentVersion: 1,
        ownerKey: ownerKey(),
        ownerAddress: OWNER,
        trustedAddress: TRUSTED,
        trustedKey: trusted.publicArmored,
        waitingDays: 5,
      }),
    );
    expect(stale).toMatchObject({ code: 'conflict', details: { reason: 'stale' } });
    const revoked = await client.revokeGrant({
      grantId: created.terms.grantId,
      credential: { key: ownerKey() },
    });
    expect(revoked.revokedAt).toBe(ks.clock.now().getTime());
    const seen = await client.grantStatus({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    expect(seen.revokedAt).not.toBeNull();
    await ks.background.drain();
    expect(mailsTo(TRUSTED)).toHaveLength(1); // the cancelled request; nothing was pending at the revocation
  });

  it('a hostile keyserver: tampered terms are left out of the list, a swapped payload is refused', async () => {
    const created = await grant(30);
    await client.requestAccess({ grantId: created.terms.grantId, trustedKey: trustedKey() });
    ks.clock.advance(30 * DAY);
    /** The real keyserver's answers, changed on the way. */
    const tampering =
      (change: (body: Record<string, unknown>) => Promise<void> | void): typeof fetch =>
      async (input, init) => {
        const response = await fetch(input, init);
        const body = (await response.json()) as Record<string, unknown>;
        await change(body);
        return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
      };
    const via = (f: typeof fetch) =>
      createLegacyClient({ fetch: f, baseUrl: ks.url, now: () => ks.clock.now() });
    // A keyserver showing a shorter waiting period than the owner signed.
    const shortened = via(
      tampering((body) => {
        for (const g of (body.grants ?? []) as { terms: { waitingDays: number } }[]) g.terms.waitingDays = 1;
      }),
    );
    expect(await shortened.listGrantsForMe({ trustedKey: trustedKey() })).toEqual({
      grants: [],
      rejected: 1,
    });
    // A keyserver handing out a payload of its own making, sealed for the trusted key.
    const decoy = await makeTestKey([{ email: OWNER }]);
    const sealed = await sealLegacyPayload({
      ownerKey: decoy.privateArmored as UnlockedKey,
      trustedKey: trusted.publicArmored,
      date: ks.clock.now(),
    });
    const swapped = via(
      tampering((body) => {
        if (typeof body.payload === 'string') body.payload = sealed;
      }),
    );
    const refused = await failure(
      swapped.fetchReleasedKey({ grantId: created.terms.grantId, trustedKey: trustedKey() }),
    );
    expect(refused.message).toMatch(/not the one the owner signed/);
    // The honest answer opens.
    const released = await client.fetchReleasedKey({
      grantId: created.terms.grantId,
      trustedKey: trustedKey(),
    });
    expect(released.ownerFingerprint).toBe(owner.fingerprint);
  });
});
