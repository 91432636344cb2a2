import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openRelease,
  ownerGrantAnswerSchema,
  ownerGrantsAnswerSchema,
  releaseAnswerSchema,
  trustedGrantAnswerSchema,
  trustedGrantsAnswerSchema,
  type GrantUpload,
} from '../../shared/legacy';
import type { UnlockedKey } from '../../shared/openpgp';
import { bearer, login, register } from '../test-support/escrow-client';
import {
  legacyCall,
  proofBy,
  requestLinkIn,
  subjectOf,
  textOf,
  uploadOf,
  type GrantParties,
} from '../test-support/legacy-calls';
import { makeTestKey, type TestKey } from '../test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import { publishKey } from '../test-support/vks-client';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OWNER = 'owner@example.org';
const TRUSTED = 'trusted@example.org';
const ENV = {
  RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000',
  RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10',
  RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000',
};

let ks: TestKeyserver;
let parties: GrantParties;
const extra: TestKeyserver[] = [];
beforeEach(async () => {
  ks = await startTestKeyserver(ENV);
  // Keys made during a test are dated by the real clock: start the keyserver's clock later, so none is in its future.
  ks.clock.advance(HOUR);
  const [owner, trusted] = await Promise.all([
    makeTestKey([{ name: 'Owner', email: OWNER }]),
    makeTestKey([{ name: 'Trusted', email: TRUSTED }]),
  ]);
  await publishKey(ks, owner.publicArmored, [OWNER]);
  parties = { owner, ownerAddress: OWNER, trusted, trustedAddress: TRUSTED };
});
afterEach(async () => {
  for (const other of extra.splice(0)) await other.close();
  await ks?.close();
});

const newGrantId = () => randomBytes(16).toString('hex');

async function createGrant(server = ks, waitingDays = 10, p = parties): Promise<string> {
  const grantId = newGrantId();
  const answer = await legacyCall(
    server,
    'POST',
    '/grants',
    await uploadOf(server, p, { grantId, waitingDays }),
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return grantId;
}

const ask = async (grantId: string, signer: TestKey = parties.trusted, server = ks) =>
  legacyCall(server, 'POST', `/grants/${grantId}/request`, {
    proof: await proofBy(server, signer, { action: 'request', grantId }),
  });
const fetchPayload = async (grantId: string, signer: TestKey = parties.trusted, server = ks) =>
  legacyCall(server, 'POST', `/grants/${grantId}/payload`, {
    proof: await proofBy(server, signer, { action: 'fetch', grantId }),
  });
const refuseAs = async (grantId: string, requestId: string, signer: TestKey = parties.owner) =>
  legacyCall(ks, 'POST', `/grants/${grantId}/refuse`, {
    requestId,
    proof: await proofBy(ks, signer, { action: 'refuse', grantId, requestId }),
  });
const revokeAs = async (grantId: string, signer: TestKey = parties.owner) =>
  legacyCall(ks, 'POST', `/grants/${grantId}/revoke`, {
    proof: await proofBy(ks, signer, { action: 'revoke', grantId }),
  });
const ownList = async (signer: TestKey = parties.owner) =>
  legacyCall(ks, 'POST', '/owner/grants', {
    ownerAddress: OWNER,
    proof: await proofBy(ks, signer, { action: 'list-owned', ownerAddress: OWNER as never }),
  });

/** Requests access and returns the request's id, after the owner's mail went out. */
async function requested(grantId: string): Promise<string> {
  const answer = await ask(grantId);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  await ks.background.drain();
  return trustedGrantAnswerSchema.parse(answer.body).grant.request!.id;
}

/** Every mail to `to` so far, as subjects. */
const subjectsTo = (to: string, server = ks) =>
  server.mail.mails.filter((m) => m.to.includes(to)).map((m) => subjectOf(m));

/** The owner's key, opened from a released payload with the trusted person's key. */
async function openedKey(
  answerBody: Record<string, unknown>,
  trusted: TestKey = parties.trusted,
): Promise<string> {
  const opened = await openRelease({
    release: releaseAnswerSchema.parse(answerBody),
    trustedKey: trusted.privateArmored as UnlockedKey,
    expectedOwnerFingerprint: parties.owner.fingerprint,
    now: ks.clock.now(),
  });
  return (await openpgp.readPrivateKey({ armoredKey: opened.ownerKey })).getFingerprint().toUpperCase();
}

describe('digital legacy through the keyserver', () => {
  it('the owner creates a grant and lists it with its history; the trusted person sees it too', async () => {
    const grantId = await createGrant();
    const own = ownerGrantsAnswerSchema.parse((await ownList()).body).grants;
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      terms: { grantId, version: 1, waitingDays: 10, ownerFingerprint: parties.owner.fingerprint },
      ownerKeyCurrent: true,
      trustedKeyCurrent: true,
      request: null,
      revokedAt: null,
    });
    expect(own[0]!.history.map((h) => [h.event, h.actor, h.proof])).toEqual([
      ['created', 'owner', 'signature'],
    ]);
    const mine = await legacyCall(ks, 'POST', '/trusted/grants', {
      proof: await proofBy(ks, parties.trusted, { action: 'list-trusted' }),
    });
    expect(trustedGrantsAnswerSchema.parse(mine.body).grants.map((g) => g.terms.grantId)).toEqual([grantId]);
  });

  it('an early request yields nothing; the release comes exactly after the waiting period', async () => {
    const grantId = await createGrant(ks, 10);
    const start = ks.clock.now().getTime();
    const requestId = await requested(grantId);
    // The owner is mailed at once, with a link to a page (that refuses nothing by itself).
    expect(subjectsTo(OWNER)).toContain(
      `${TRUSTED} asked for access to your Keyward key (${new URL(ks.url).host})`,
    );
    const mail = ks.mail.mails.find(
      (m) => m.to.includes(OWNER) && subjectOf(m).includes('asked for access'),
    )!;
    expect(requestLinkIn(mail)).toBe(`${ks.url}/legacy/requests/${grantId}/${requestId}`);
    expect(textOf(mail)).toContain(new Date(start + 10 * DAY).toISOString().slice(0, 16).replace('T', ' '));

    expect((await fetchPayload(grantId)).body).toMatchObject({ reason: 'not_released' });
    ks.clock.advance(10 * DAY - 1);
    const early = await fetchPayload(grantId);
    expect(early.status).toBe(403);
    expect(early.body).toMatchObject({ reason: 'not_released' });
    ks.clock.advance(1);
    const released = await fetchPayload(grantId);
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(await openedKey(released.body)).toBe(parties.owner.fingerprint);
    await ks.background.drain();
    expect(subjectsTo(TRUSTED)).toEqual([
      `You now have access to ${OWNER}'s Keyward key (${new URL(ks.url).host})`,
    ]);
    expect(subjectsTo(OWNER).filter((s) => s.includes('now has access'))).toHaveLength(1);
    // The history shows the request, the reminder (due when the early fetch came), the release and the fetch.
    const history = ownerGrantsAnswerSchema.parse((await ownList()).body).grants[0]!.history;
    expect(history.map((h) => [h.event, h.actor])).toEqual([
      ['fetched', 'trusted'],
      ['released', 'keyserver'],
      ['reminded', 'keyserver'],
      ['requested', 'trusted'],
      ['created', 'owner'],
    ]);
  });

  it('the scheduler reminds the owner a day before the end and releases at the end, each mail once', async () => {
    const grantId = await createGrant(ks, 3);
    await requested(grantId);
    expect(await ks.legacy.sweep()).toBe(0); // nothing due
    ks.clock.advance(2 * DAY - 1);
    await ks.legacy.sweep();
    await ks.background.drain();
    expect(subjectsTo(OWNER).filter((s) => s.startsWith('Reminder'))).toHaveLength(0);
    ks.clock.advance(1);
    // Two schedulers (as two processes would run) sweeping the same store at once: one reminder.
    const other = await startTestKeyserver({ ...ENV, DATA_DIR: ks.dataDir });
    extra.push(other);
    other.clock.advance(ks.clock.now().getTime() - other.clock.now().getTime());
    await Promise.all([ks.legacy.sweep(), other.legacy.sweep(), ks.legacy.sweep()]);
    await Promise.all([ks.background.drain(), other.background.drain()]);
    await Promise.all([ks.mailQueue.sweep(), other.mailQueue.sweep()]);
    const reminders = [...ks.mail.mails, ...other.mail.mails].filter(
      (m) => m.to.includes(OWNER) && subjectOf(m).startsWith('Reminder'),
    );
    expect(reminders).toHaveLength(1);
    expect((await ks.store.legacy.grants.get(grantId))?.notices).toEqual([]);
    ks.clock.advance(DAY);
    other.clock.advance(DAY);
    await Promise.all([ks.legacy.sweep(), other.legacy.sweep()]);
    await Promise.all([ks.background.drain(), other.background.drain()]);
    const released = [...ks.mail.mails, ...other.mail.mails].filter((m) => m.to.includes(TRUSTED));
    expect(released.map((m) => subjectOf(m))).toEqual([
      `You now have access to ${OWNER}'s Keyward key (${new URL(ks.url).host})`,
    ]);
    expect((await ks.store.legacy.grants.get(grantId))?.request?.state).toBe('released');
  });

  it('a refusal ends it: nothing is released after the period, and a new request waits a week', async () => {
    const grantId = await createGrant(ks, 2);
    const requestId = await requested(grantId);
    ks.clock.advance(DAY);
    const refused = await refuseAs(grantId, requestId);
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(ownerGrantAnswerSchema.parse(refused.body).grant.request).toMatchObject({ state: 'refused' });
    await ks.background.drain();
    expect(subjectsTo(TRUSTED)).toEqual([
      `${OWNER} refused your request for access (${new URL(ks.url).host})`,
    ]);
    // Refusing twice, or a request that is not pending: no_request.
    expect((await refuseAs(grantId, requestId)).body).toMatchObject({ reason: 'no_request' });
    ks.clock.advance(30 * DAY);
    await ks.legacy.sweep();
    expect((await fetchPayload(grantId)).body).toMatchObject({ reason: 'not_released' });
    ks.clock.advance(-30 * DAY + 7 * DAY - 1); // six days and some after the refusal
    const tooSoon = await ask(grantId);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body).toMatchObject({ reason: 'cooling_down' });
    expect(Number(tooSoon.headers.get('retry-after'))).toBe(1);
    ks.clock.advance(1);
    expect((await ask(grantId)).status).toBe(200);
  });

  it('the owner refuses with a key-backup login instead of the key (an escrow session)', async () => {
    // An owner whose address has a key backup of this very key, and a device without the key.
    await register(ks, OWNER, 'owner passphrase', parties.owner.fingerprint);
    const grantId = await createGrant();
    const requestId = await requested(grantId);
    const { sessionToken } = await login(ks, OWNER, 'owner passphrase');
    const noSession = await legacyCall(ks, 'POST', `/grants/${grantId}/refuse`, { requestId });
    expect(noSession.body).toMatchObject({ reason: 'unauthorized' });
    const refused = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/refuse`,
      { requestId },
      bearer(sessionToken),
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    const grant = ownerGrantAnswerSchema.parse(refused.body).grant;
    expect(grant.request?.state).toBe('refused');
    expect(grant.history[0]).toMatchObject({ event: 'refused', actor: 'owner', proof: 'session' });
    // The session lists the owner's grants too.
    const list = await legacyCall(ks, 'POST', '/owner/grants', {}, bearer(sessionToken));
    expect(ownerGrantsAnswerSchema.parse(list.body).grants.map((g) => g.terms.grantId)).toEqual([grantId]);
  });

  it('an owner whose key is only backed up here (not published) can make a grant; an unknown key cannot', async () => {
    const backedUp = await makeTestKey([{ email: 'quiet@example.org' }]);
    const p = { ...parties, owner: backedUp, ownerAddress: 'quiet@example.org' };
    const upload = await uploadOf(ks, p, { grantId: newGrantId() });
    expect((await legacyCall(ks, 'POST', '/grants', upload)).body).toMatchObject({
      reason: 'owner_key_unknown',
    });
    await register(ks, 'quiet@example.org', 'quiet passphrase', backedUp.fingerprint);
    expect((await legacyCall(ks, 'POST', '/grants', upload)).status).toBe(201);
  });

  it('a revoked grant releases nothing: its payload is erased, and the trusted person is told', async () => {
    const grantId = await createGrant(ks, 1);
    await requested(grantId);
    const revoked = await revokeAs(grantId);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(ownerGrantAnswerSchema.parse(revoked.body).grant).toMatchObject({
      request: { state: 'cancelled' },
    });
    expect((await ks.store.legacy.grants.get(grantId))?.payload).toBeNull();
    await ks.background.drain();
    expect(subjectsTo(TRUSTED)).toEqual([
      `Your request for access to ${OWNER}'s key ended (${new URL(ks.url).host})`,
    ]);
    ks.clock.advance(5 * DAY);
    await ks.legacy.sweep();
    expect((await fetchPayload(grantId)).body).toMatchObject({ reason: 'grant_revoked' });
    expect((await ask(grantId)).body).toMatchObject({ reason: 'grant_revoked' });
    // Its id is never taken again.
    const again = await legacyCall(ks, 'POST', '/grants', await uploadOf(ks, parties, { grantId }));
    expect(again.body).toMatchObject({ reason: 'grant_exists' });
  });

  it('a change while a request is pending cancels it; the old request never opens the new version', async () => {
    const grantId = await createGrant(ks, 10);
    await requested(grantId);
    const v2 = await uploadOf(ks, parties, { grantId, version: 2, waitingDays: 20 });
    const stale = await legacyCall(
      ks,
      'PUT',
      `/grants/${grantId}`,
      await uploadOf(ks, parties, { grantId, version: 3 }),
    );
    expect(stale.body).toMatchObject({ reason: 'stale' });
    const changed = await legacyCall(ks, 'PUT', `/grants/${grantId}`, v2);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(ownerGrantAnswerSchema.parse(changed.body).grant).toMatchObject({
      terms: { version: 2, waitingDays: 20 },
      request: { state: 'cancelled', grantVersion: 1 },
    });
    ks.clock.advance(11 * DAY);
    expect((await fetchPayload(grantId)).body).toMatchObject({ reason: 'not_released' });
    // A new request runs the new period.
    await requested(grantId);
    ks.clock.advance(20 * DAY - 1);
    expect((await fetchPayload(grantId)).status).toBe(403);
    ks.clock.advance(1);
    expect((await fetchPayload(grantId)).status).toBe(200);
  });

  it('a changed owner key: old grants still work, the old and new key both refuse, the new key re-issues', async () => {
    const grantId = await createGrant(ks, 10);
    const requestId = await requested(grantId);
    // The owner makes a new key and publishes it for the same address.
    const rotated = await makeTestKey([{ name: 'Owner', email: OWNER }]);
    await publishKey(ks, rotated.publicArmored, [OWNER]);
    const listed = ownerGrantsAnswerSchema.parse((await ownList(rotated)).body).grants;
    expect(listed[0]).toMatchObject({ ownerKeyCurrent: false, trustedKeyCurrent: true });
    // The old key still lists (it is the grant's owner key) and refuses.
    expect((await ownList()).status).toBe(200);
    expect((await refuseAs(grantId, requestId, parties.owner)).status).toBe(200);
    // A new grant must use the new key; the old one is no longer the owner's key here.
    const withOld = await legacyCall(
      ks,
      'POST',
      '/grants',
      await uploadOf(ks, parties, { grantId: newGrantId() }),
    );
    expect(withOld.body).toMatchObject({ reason: 'owner_key_unknown' });
    // Re-issue with the new key (version 2): the grant now holds the new key.
    const reissued = await legacyCall(
      ks,
      'PUT',
      `/grants/${grantId}`,
      await uploadOf(ks, { ...parties, owner: rotated }, { grantId, version: 2 }),
    );
    expect(reissued.status, JSON.stringify(reissued.body)).toBe(200);
    expect(ownerGrantAnswerSchema.parse(reissued.body).grant).toMatchObject({
      terms: { ownerFingerprint: rotated.fingerprint },
      ownerKeyCurrent: true,
    });
    // After the re-issue the old key no longer stands for the owner; the new one refuses.
    ks.clock.advance(7 * DAY);
    const next = await requested(grantId);
    expect((await refuseAs(grantId, next, parties.owner)).body).toMatchObject({ reason: 'no_grant' });
    expect((await refuseAs(grantId, next, rotated)).status).toBe(200);
  });

  it('a changed trusted key: the new key gets nothing until the owner re-issues to it', async () => {
    const grantId = await createGrant(ks, 1);
    const newKey = await makeTestKey([{ name: 'Trusted', email: TRUSTED }]);
    await publishKey(ks, newKey.publicArmored, [TRUSTED]);
    // The request with the new key: no such grant (the payload is for the pinned key only).
    const refused = await ask(grantId, newKey);
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ reason: 'no_grant' });
    expect(ownerGrantsAnswerSchema.parse((await ownList()).body).grants[0]).toMatchObject({
      trustedKeyCurrent: false,
    });
    // The owner re-issues to the new key; from then on the new key asks and opens, the old one gets nothing.
    const p2 = { ...parties, trusted: newKey };
    const reissued = await legacyCall(
      ks,
      'PUT',
      `/grants/${grantId}`,
      await uploadOf(ks, p2, { grantId, version: 2, waitingDays: 1 }),
    );
    expect(ownerGrantAnswerSchema.parse(reissued.body).grant.trustedKeyCurrent).toBe(true);
    expect((await ask(grantId, parties.trusted)).body).toMatchObject({ reason: 'no_grant' });
    expect((await ask(grantId, newKey)).status).toBe(200);
    ks.clock.advance(DAY);
    const released = await fetchPayload(grantId, newKey);
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(await openedKey(released.body, newKey)).toBe(parties.owner.fingerprint);
  });

  it('a keyserver restarted mid-wait loses nothing: the next one releases once', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'keyward-legacy-restart-'));
    try {
      const first = await startTestKeyserver({ ...ENV, DATA_DIR: shared });
      first.clock.advance(HOUR);
      await publishKey(first, parties.owner.publicArmored, [OWNER]);
      const grantId = await createGrant(first, 2);
      expect((await ask(grantId, parties.trusted, first)).status).toBe(200);
      await first.background.drain();
      await first.close();

      const second = await startTestKeyserver({ ...ENV, DATA_DIR: shared });
      extra.push(second);
      second.clock.advance(HOUR + 2 * DAY);
      await second.legacy.sweep();
      await second.background.drain();
      expect(subjectsTo(TRUSTED, second)).toEqual([
        `You now have access to ${OWNER}'s Keyward key (${new URL(second.url).host})`,
      ]);
      await second.legacy.sweep();
      await second.background.drain();
      expect(subjectsTo(TRUSTED, second)).toHaveLength(1);
      const released = await fetchPayload(grantId, parties.trusted, second);
      expect(released.status).toBe(200);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('the mailed page shows where a request stands and changes nothing', async () => {
    const grantId = await createGrant(ks, 10);
    const requestId = await requested(grantId);
    const link = `${ks.url}/legacy/requests/${grantId}/${requestId}`;
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Unless you refuse');
    expect((await fetch(link, { method: 'POST' })).status).toBe(405);
    expect((await ks.store.legacy.grants.get(grantId))?.request?.state).toBe('pending');
    expect((await fetch(`${ks.url}/legacy/requests/${grantId}/${'0'.repeat(32)}`)).status).toBe(404);
  });

  it('a grant upload that does not hold together is refused with terms_invalid', async () => {
    const grantId = newGrantId();
    const good: GrantUpload = await uploadOf(ks, parties, { grantId });
    const stranger = await makeTestKey([{ email: 'stranger@example.org' }]);
    const bad: Partial<GrantUpload>[] = [
      { terms: { ...good.terms, waitingDays: 9 } }, // not what was signed
      { payload: good.payload.replace(/\n=.*\n/, '\n') }, // not the signed payload
      { trustedKey: stranger.publicArmored }, // not the pinned key
      { terms: { ...good.terms, createdAt: good.terms.createdAt - 2 * DAY } }, // a clock two days off
    ];
    for (const over of bad) {
      const answer = await legacyCall(ks, 'POST', '/grants', { ...good, ...over });
      expect(answer.status, JSON.stringify(over).slice(0, 80)).toBe(400);
      expect(answer.body).toMatchObject({ reason: 'terms_invalid' });
    }
    expect((await legacyCall(ks, 'POST', '/grants', good)).status).toBe(201);
  });
});

describe('digital-legacy rate limits, in the store', () => {
  /** This test's keyserver with other limits, the owner's key published again. */
  async function withLimits(env: Record<string, string>): Promise<void> {
    await ks.close();
    ks = await startTestKeyserver({ ...ENV, ...env });
    ks.clock.advance(HOUR);
    await publishKey(ks, parties.owner.publicArmored, [OWNER]);
  }

  it('new requests for access are counted per owner address (each mails the owner), whoever asks', async () => {
    await withLimits({ RATE_LEGACY_ACCESS_REQUESTS_PER_ADDRESS_DAY: '1' });
    const [first, second] = [await createGrant(), await createGrant()];
    expect((await ask(first)).status).toBe(200);
    expect((await ask(first)).status).toBe(200); // the pending request again: no new mail, not counted
    const limited = await ask(second);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    ks.clock.advance(DAY);
    expect((await ask(second)).status).toBe(200);
  });

  it('every legacy request counts against the client', async () => {
    await withLimits({ RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '3' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await legacyCall(ks, 'POST', '/challenges', {})).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('uploads naming an owner count only once the owner’s signature checked out: a stranger cannot use them up', async () => {
    const stranger = await makeTestKey([{ email: 'stranger@example.org' }]);
    const upload = await uploadOf(ks, parties, { grantId: newGrantId() });
    const forged = await uploadOf(
      ks,
      { ...parties, owner: stranger, ownerAddress: 'stranger@example.org' },
      { grantId: newGrantId() },
    );
    for (let i = 0; i < 25; i++) {
      const answer = await legacyCall(ks, 'POST', '/grants', {
        ...upload,
        termsSignature: forged.termsSignature,
      });
      expect(answer.status).toBe(400);
    }
    expect((await legacyCall(ks, 'POST', '/grants', upload)).status).toBe(201);
  });
});
