import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEscrowClient, openEscrow } from '../../shared/escrow';
import {
  grantTermsText,
  releaseAnswerSchema,
  statementText,
  trustedGrantsAnswerSchema,
} from '../../shared/legacy';
import { signText, type UnlockedKey } from '../../shared/openpgp';
import { bearer, CHEAP_STRETCHING, codeIn, login, register } from '../test-support/escrow-client';
import {
  legacyCall,
  proofBy,
  challengeOf,
  subjectOf,
  uploadOf,
  type GrantParties,
} from '../test-support/legacy-calls';
import { makeTestKey, revokeKey, type TestKey } from '../test-support/test-keys';
import { startTestKeyserver, type TestKeyserver } from '../test-support/test-keyserver';
import { publishKey, vksUpload } from '../test-support/vks-client';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OWNER = 'owner@example.org';
const TRUSTED = 'trusted@example.org';
const STRANGER = 'stranger@example.org';

let ks: TestKeyserver;
let parties: GrantParties;
let stranger: TestKey;
beforeEach(async () => {
  ks = await startTestKeyserver({
    RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000',
    RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: '10',
    RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '1000',
  });
  ks.clock.advance(HOUR); // keys made during the test are then in the keyserver's past
  const [owner, trusted, other] = await Promise.all([
    makeTestKey([{ email: OWNER }]),
    makeTestKey([{ email: TRUSTED }]),
    makeTestKey([{ email: STRANGER }]),
  ]);
  await publishKey(ks, owner.publicArmored, [OWNER]);
  await publishKey(ks, other.publicArmored, [STRANGER]);
  parties = { owner, ownerAddress: OWNER, trusted, trustedAddress: TRUSTED };
  stranger = other;
});
afterEach(async () => {
  await ks?.close();
});

async function createGrant(waitingDays = 3): Promise<string> {
  const grantId = randomBytes(16).toString('hex');
  const answer = await legacyCall(
    ks,
    'POST',
    '/grants',
    await uploadOf(ks, parties, { grantId, waitingDays }),
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return grantId;
}

const signed = async (signer: TestKey, action: 'request' | 'fetch', grantId: string) => ({
  proof: await proofBy(ks, signer, { action, grantId }),
});

const mailsTo = (address: string) => ks.mail.mails.filter((m) => m.to.includes(address));

/** Every row of every table, as text: what a thief who copies the database file gets. */
function dumpDatabase(): string {
  const db = new Database(join(ks.dataDir, 'keyward.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return tables
      .map((t) =>
        JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all(), (_k, v: unknown) =>
          Buffer.isBuffer(v) ? `base64:${v.toString('base64')}` : v,
        ),
      )
      .join('\n');
  } finally {
    db.close();
  }
}

describe('digital legacy attacks', () => {
  it('a third party asks for access: answered exactly like an unknown grant, and the owner hears nothing', async () => {
    const grantId = await createGrant();
    const foreign = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/request`,
      await signed(stranger, 'request', grantId),
    );
    const unknownId = randomBytes(16).toString('hex');
    const unknown = await legacyCall(
      ks,
      'POST',
      `/grants/${unknownId}/request`,
      await signed(stranger, 'request', unknownId),
    );
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(foreign.body).toMatchObject({ reason: 'no_grant' });
    // Nor does the owner's own key count as the trusted person's.
    const byOwner = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/request`,
      await signed(parties.owner, 'request', grantId),
    );
    expect(byOwner.body).toEqual(unknown.body);
    // Listing: the stranger's key is named by no grant; the owner's grants need an owner key.
    const list = await legacyCall(ks, 'POST', '/trusted/grants', {
      proof: await proofBy(ks, stranger, { action: 'list-trusted' }),
    });
    expect(trustedGrantsAnswerSchema.parse(list.body).grants).toEqual([]);
    const ownerList = await legacyCall(ks, 'POST', '/owner/grants', {
      ownerAddress: OWNER,
      proof: await proofBy(ks, stranger, { action: 'list-owned', ownerAddress: OWNER as never }),
    });
    const emptyList = await legacyCall(ks, 'POST', '/owner/grants', {
      ownerAddress: 'nobody@example.org',
      proof: await proofBy(ks, stranger, {
        action: 'list-owned',
        ownerAddress: 'nobody@example.org' as never,
      }),
    });
    expect(ownerList.status).toBe(403);
    expect(ownerList.body).toMatchObject({ reason: 'not_owner' });
    expect(emptyList.status).toBe(403); // an address with grants and one without answer alike
    await ks.background.drain();
    expect(mailsTo(OWNER).filter((m) => subjectOf(m).includes('asked for access'))).toEqual([]);
    expect((await ks.store.legacy.grants.get(grantId))?.request).toBeNull();
  });

  it('forged refusal: a refusal by the trusted person, a stranger, another address’s session or over another request ends nothing', async () => {
    await register(ks, STRANGER, 'stranger passphrase', stranger.fingerprint);
    const grantId = await createGrant(3);
    const asked = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/request`,
      await signed(parties.trusted, 'request', grantId),
    );
    const requestId = (asked.body.grant as { request: { id: string } }).request.id;
    for (const signer of [parties.trusted, stranger]) {
      const answer = await legacyCall(ks, 'POST', `/grants/${grantId}/refuse`, {
        requestId,
        proof: await proofBy(ks, signer, { action: 'refuse', grantId, requestId }),
      });
      expect(answer.body).toMatchObject({ reason: 'no_grant' });
    }
    const { sessionToken } = await login(ks, STRANGER, 'stranger passphrase');
    const bySession = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/refuse`,
      { requestId },
      bearer(sessionToken),
    );
    expect(bySession.body).toMatchObject({ reason: 'no_grant' });
    // The owner's signature over a refusal of another request, sent as a refusal of this one.
    const other = await proofBy(ks, parties.owner, { action: 'refuse', grantId, requestId: 'f'.repeat(32) });
    const moved = await legacyCall(ks, 'POST', `/grants/${grantId}/refuse`, { requestId, proof: other });
    expect(moved.body).toMatchObject({ reason: 'proof_invalid' });
    // The mailed link is no refusal either.
    const link = `${ks.url}/legacy/requests/${grantId}/${requestId}`;
    await fetch(link);
    await fetch(link, { method: 'POST' });
    ks.clock.advance(3 * DAY);
    const released = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/payload`,
      await signed(parties.trusted, 'fetch', grantId),
    );
    expect(released.status, JSON.stringify(released.body)).toBe(200);
  });

  it('forged release: early, by another key, over another grant’s statement or with a borrowed key, nothing is handed out', async () => {
    const grantId = await createGrant(1);
    const otherGrant = await createGrant(1);
    await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/request`,
      await signed(parties.trusted, 'request', grantId),
    );
    const early = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/payload`,
      await signed(parties.trusted, 'fetch', grantId),
    );
    expect(early.body).toMatchObject({ reason: 'not_released' });
    ks.clock.advance(DAY);
    // The owner's and a stranger's keys: no such grant for them.
    for (const signer of [parties.owner, stranger]) {
      const answer = await legacyCall(
        ks,
        'POST',
        `/grants/${grantId}/payload`,
        await signed(signer, 'fetch', grantId),
      );
      expect(answer.body).toMatchObject({ reason: 'no_grant' });
    }
    // A fetch signed for the other grant, sent for this one: the statement is rebuilt from the path.
    const forOther = await signed(parties.trusted, 'fetch', otherGrant);
    const moved = await legacyCall(ks, 'POST', `/grants/${grantId}/payload`, forOther);
    expect(moved.body).toMatchObject({ reason: 'proof_invalid' });
    // The trusted key sent along, but the signature made by the stranger.
    const borrowed = await proofBy(
      ks,
      stranger,
      { action: 'fetch', grantId },
      { signerKey: parties.trusted.publicArmored },
    );
    const answer = await legacyCall(ks, 'POST', `/grants/${grantId}/payload`, { proof: borrowed });
    expect(answer.body).toMatchObject({ reason: 'proof_invalid' });
    // A request for the other grant was never made: nothing is released there.
    const never = await legacyCall(
      ks,
      'POST',
      `/grants/${otherGrant}/payload`,
      await signed(parties.trusted, 'fetch', otherGrant),
    );
    expect(never.body).toMatchObject({ reason: 'not_released' });
  });

  it('forged grant: terms for someone else’s address, or signed by another key than the one they name, are refused', async () => {
    // A stranger claiming the owner's address with their own key, the terms properly signed by it.
    const grantId = randomBytes(16).toString('hex');
    const claim = await uploadOf(ks, { ...parties, owner: stranger, ownerAddress: STRANGER }, { grantId });
    const terms = { ...claim.terms, ownerAddress: OWNER as typeof claim.terms.ownerAddress };
    const termsSignature = await signText({
      key: stranger.privateArmored as UnlockedKey,
      text: grantTermsText(terms),
      date: ks.clock.now(),
    });
    const refused = await legacyCall(ks, 'POST', '/grants', { ...claim, terms, termsSignature });
    expect(refused.body).toMatchObject({ reason: 'owner_key_unknown' });
    // Terms naming the owner's key, signed by the stranger.
    const genuine = await uploadOf(ks, parties, { grantId });
    const forged = await signText({
      key: stranger.privateArmored as UnlockedKey,
      text: grantTermsText(genuine.terms),
      date: ks.clock.now(),
    });
    const answer = await legacyCall(ks, 'POST', '/grants', { ...genuine, termsSignature: forged });
    expect(answer.body).toMatchObject({ reason: 'terms_invalid' });
    // Changing or revoking the owner's grant with the stranger's key.
    const real = await createGrant();
    const change = await uploadOf(
      ks,
      { ...parties, owner: stranger, ownerAddress: STRANGER },
      { grantId: real, version: 2 },
    );
    expect((await legacyCall(ks, 'PUT', `/grants/${real}`, change)).body).toMatchObject({
      reason: 'no_grant',
    });
    const revoke = await legacyCall(ks, 'POST', `/grants/${real}/revoke`, {
      proof: await proofBy(ks, stranger, { action: 'revoke', grantId: real }),
    });
    expect(revoke.body).toMatchObject({ reason: 'no_grant' });
    expect((await ks.store.legacy.grants.get(real))?.revokedAt).toBeNull();
  });

  it('replayed request: the same signed request sent again after a refusal is refused, and the owner is mailed once', async () => {
    const grantId = await createGrant(3);
    const body = await signed(parties.trusted, 'request', grantId);
    const first = await legacyCall(ks, 'POST', `/grants/${grantId}/request`, body);
    expect(first.status).toBe(200);
    const requestId = (first.body.grant as { request: { id: string } }).request.id;
    const refusal = {
      requestId,
      proof: await proofBy(ks, parties.owner, { action: 'refuse', grantId, requestId }),
    };
    expect((await legacyCall(ks, 'POST', `/grants/${grantId}/refuse`, refusal)).status).toBe(200);
    ks.clock.advance(8 * DAY); // past the week after a refusal: only the replay stops it now
    const replayed = await legacyCall(ks, 'POST', `/grants/${grantId}/request`, body);
    expect(replayed.status).toBe(403);
    expect(replayed.body).toMatchObject({ reason: 'challenge_invalid' });
    // A replayed refusal (of a later request) and a replayed fetch fail the same way.
    expect((await legacyCall(ks, 'POST', `/grants/${grantId}/refuse`, refusal)).body).toMatchObject({
      reason: 'challenge_invalid',
    });
    await ks.background.drain();
    expect(mailsTo(OWNER).filter((m) => subjectOf(m).includes('asked for access'))).toHaveLength(1);
    expect((await ks.store.legacy.grants.get(grantId))?.request?.state).toBe('refused');
    // A challenge older than five minutes is void too.
    const late = await signed(parties.trusted, 'request', grantId);
    ks.clock.advance(5 * 60_000);
    expect((await legacyCall(ks, 'POST', `/grants/${grantId}/request`, late)).body).toMatchObject({
      reason: 'challenge_invalid',
    });
  });

  it('a trusted person swapping in another key: a new published key, a grafted subkey or a revoked pinned key get nothing', async () => {
    const grantId = await createGrant(1);
    // A new key confirmed for the trusted address (the trusted person, or whoever reads their mail).
    const replacement = await makeTestKey([{ email: TRUSTED }]);
    await publishKey(ks, replacement.publicArmored, [TRUSTED]);
    const byReplacement = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/request`,
      await signed(replacement, 'request', grantId),
    );
    expect(byReplacement.body).toMatchObject({ reason: 'no_grant' });

    // The pinned public key with the stranger's signing subkey grafted on, the statement signed by that subkey.
    const graftee = await makeTestKey([{ email: STRANGER }], 4, { signingSubkey: true });
    const pinned = await openpgp.readKey({ armoredKey: parties.trusted.publicArmored });
    const donor = await openpgp.readKey({ armoredKey: graftee.publicArmored });
    pinned.subkeys.push(donor.subkeys[1]!);
    const { challenge, serverTime } = await challengeOf(ks);
    const signature = await signText({
      key: graftee.privateArmored as UnlockedKey,
      text: statementText({ action: 'request', grantId, challenge }),
      date: new Date(serverTime),
    });
    const grafted = await legacyCall(ks, 'POST', `/grants/${grantId}/request`, {
      proof: { challenge, signature, signerKey: pinned.armor() },
    });
    expect(grafted.body).toMatchObject({ reason: 'proof_invalid' });

    // The pinned key revoked, the revocation published here; the request sends the old, unrevoked copy.
    await vksUpload(ks, await revokeKey(parties.trusted.privateArmored));
    const byRevoked = await legacyCall(
      ks,
      'POST',
      `/grants/${grantId}/request`,
      await signed(parties.trusted, 'request', grantId),
    );
    expect(byRevoked.body).toMatchObject({ reason: 'proof_invalid' });
    expect((await ks.store.legacy.grants.get(grantId))?.request).toBeNull();
  });

  it('a private key sent where a public key belongs is refused and never stored', async () => {
    const grantId = randomBytes(16).toString('hex');
    const upload = await uploadOf(ks, parties, { grantId });
    // Secret key packets under a public-key armor header.
    const secret = await openpgp.readPrivateKey({ armoredKey: parties.owner.privateArmored });
    const disguised = openpgp.armor(openpgp.enums.armor.publicKey, secret.write());
    const asOwnerKey = await legacyCall(ks, 'POST', '/grants', { ...upload, ownerKey: disguised });
    expect(asOwnerKey.body).toMatchObject({ reason: 'terms_invalid' });
    const proof = await proofBy(ks, parties.trusted, { action: 'list-trusted' }, { signerKey: disguised });
    expect((await legacyCall(ks, 'POST', '/trusted/grants', { proof })).body).toMatchObject({
      reason: 'proof_invalid',
    });
    expect(dumpDatabase()).not.toContain(disguised.split('\n').slice(3, 5).join(''));
  });

  it('hostile bodies and paths to every legacy route get a 4xx, never a 500', async () => {
    const grantId = await createGrant();
    const junk: unknown[] = [
      null,
      [],
      'text',
      {},
      { proof: null },
      { proof: { challenge: 'x', signature: 'y', signerKey: 'z' } },
      {
        proof: {
          challenge: 'A'.repeat(43),
          signature: '-----BEGIN PGP SIGNATURE-----\nAAAA',
          signerKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n!!',
        },
      },
      { terms: { grantId: 'g' }, payload: 1 },
      { requestId: '../../etc', ownerAddress: 'not an address' },
      { ownerAddress: `${'a'.repeat(300)}@example.org` },
    ];
    const paths = [
      ['POST', '/challenges'],
      ['POST', '/grants'],
      ['PUT', `/grants/${grantId}`],
      ['PUT', '/grants/NOT-AN-ID'],
      ['POST', `/grants/${grantId}/revoke`],
      ['POST', `/grants/${grantId}/refuse`],
      ['POST', '/owner/grants'],
      ['POST', '/trusted/grants'],
      ['POST', `/grants/${grantId}/request`],
      ['POST', `/grants/${grantId.toUpperCase()}/payload`],
    ] as const;
    for (const [method, path] of paths) {
      for (const body of junk) {
        const answer = await legacyCall(ks, method, path, body, { authorization: 'Bearer nonsense' });
        expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (path !== '/challenges') expect(answer.status).toBeGreaterThanOrEqual(400);
      }
    }
    const tooBig = await legacyCall(ks, 'POST', '/grants', { payload: 'x'.repeat(300 * 1024) });
    expect(tooBig.status).toBe(413);
  });

  it('database dump: after a grant, a request and a release, nothing in the database opens without the trusted person’s key', async () => {
    // The owner also keeps a real key backup (escrow) here: its secrets are tried too.
    const escrow = createEscrowClient({
      fetch,
      baseUrl: ks.url,
      now: () => ks.clock.now(),
      stretching: () => CHEAP_STRETCHING,
    });
    const before = ks.mail.countTo(OWNER);
    await escrow.requestCode(OWNER, 'register');
    const { recoveryPhrase } = await escrow.createAccount({
      address: OWNER,
      code: codeIn(await ks.mail.next(OWNER, 5000, before)),
      passphrase: 'owner backup passphrase',
      key: parties.owner.privateArmored as UnlockedKey,
      fingerprint: parties.owner.fingerprint,
      profile: 'argon2id-64m',
    });
    const grantId = await createGrant(1);
    const challenges: string[] = [];
    const request = await signed(parties.trusted, 'request', grantId);
    challenges.push(request.proof.challenge);
    await legacyCall(ks, 'POST', `/grants/${grantId}/request`, request);
    ks.clock.advance(DAY);
    const fetchBody = await signed(parties.trusted, 'fetch', grantId);
    challenges.push(fetchBody.proof.challenge);
    const released = await legacyCall(ks, 'POST', `/grants/${grantId}/payload`, fetchBody);
    expect(released.status).toBe(200);
    await ks.legacy.sweep();
    await ks.background.drain();

    const dump = dumpDatabase();
    const serverSecret = Buffer.from(new Uint8Array(32).fill(7)); // the test keyserver's
    const opaqueSetup = readFileSync(join(ks.dataDir, 'opaque-server-setup'), 'utf8').trim();
    // No private key and no challenge in clear anywhere.
    expect(dump).not.toMatch(/PRIVATE KEY BLOCK/);
    for (const challenge of challenges) expect(dump).not.toContain(challenge);
    const unescaped = dump.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    const messages = unescaped.match(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g) ?? [];
    const payload = releaseAnswerSchema.parse(released.body).payload;
    expect(messages).toContain(payload.trim());
    expect(messages.length).toBeGreaterThanOrEqual(2); // the payload and the escrow
    const keys =
      unescaped.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g) ??
      [];
    expect(keys.length).toBeGreaterThan(0);
    for (const armored of keys)
      expect((await openpgp.readKey({ armoredKey: armored })).isPrivate()).toBe(false);

    // Every password the thief could try: the server's secrets, the escrow's, and every long string in the dump.
    const strings = [...new Set(dump.match(/[A-Za-z0-9_+/=.-]{16,}/g) ?? [])].slice(0, 400);
    const passwords = [
      '',
      serverSecret.toString('hex'),
      serverSecret.toString('base64'),
      opaqueSetup,
      recoveryPhrase,
      'owner backup passphrase',
      ...strings,
    ];
    const opens = async (armored: string, options: { passwords?: string[]; keys?: string[] }) => {
      const message = await openpgp.readMessage({ armoredMessage: armored });
      const decryptionKeys = await Promise.all(
        (options.keys ?? []).map((k) => openpgp.readPrivateKey({ armoredKey: k })),
      );
      return openpgp
        .decrypt({
          message,
          ...(options.passwords ? { passwords: options.passwords } : {}),
          ...(decryptionKeys.length ? { decryptionKeys } : {}),
          format: 'binary',
        })
        .then(
          () => true,
          () => false,
        );
    };
    for (const password of passwords) expect(await opens(payload, { passwords: [password] })).toBe(false);
    // Nor the owner's own key, a stranger's, or the escrow opened with its recovery code (the owner's key itself).
    const ownersKey = await openEscrow(
      messages.find((m) => m !== payload.trim())!,
      recoveryPhrase,
    );
    for (const key of [parties.owner.privateArmored, stranger.privateArmored, ownersKey]) {
      expect(await opens(payload, { keys: [key] })).toBe(false);
    }
    // The escrow does not open with anything in the dump or the server's secrets either.
    const escrowMessage = messages.find((m) => m !== payload.trim())!;
    for (const password of passwords.filter((p) => p !== recoveryPhrase && p !== 'owner backup passphrase')) {
      expect(await opens(escrowMessage, { passwords: [password] })).toBe(false);
    }
    // And the trusted person's key opens the payload found in the dump: the test looks at the real thing.
    expect(await opens(payload, { keys: [parties.trusted.privateArmored] })).toBe(true);
  });
});
