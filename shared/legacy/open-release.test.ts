import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestKey, NOW, type TestKey } from '../../tests/fixtures/test-keys';
import type { UnlockedKey } from '../openpgp';
import { signText } from '../openpgp';
import { grantTermsText, payloadSha256 } from './grant-terms';
import type { GrantUpload, ReleaseAnswer } from './legacy-api';
import { sealLegacyPayload } from './legacy-payload';
import { makeGrantUpload } from './make-grant-upload';
import { openRelease } from './open-release';
import { verifyGrantTerms } from './verify-grant-terms';

const GRANT = 'f'.repeat(32);
let owner: TestKey;
let trusted: TestKey;
let stranger: TestKey;
let upload: GrantUpload;
beforeAll(async () => {
  [owner, trusted, stranger] = await Promise.all([
    makeTestKey({ email: 'owner@example.org' }),
    makeTestKey({ email: 'trusted@example.org' }),
    makeTestKey({ email: 'stranger@example.org' }),
  ]);
  upload = await makeGrantUpload({
    ownerKey: owner.unlocked,
    ownerAddress: 'owner@example.org',
    trustedAddress: 'Trusted@Example.org',
    trustedKey: trusted.publicKeyArmored,
    waitingDays: 14,
    grantId: GRANT,
    version: 1,
    date: NOW,
  });
});

const release = (over: Partial<ReleaseAnswer> = {}): ReleaseAnswer => ({
  terms: upload.terms,
  termsSignature: upload.termsSignature,
  ownerKey: upload.ownerKey,
  payload: upload.payload,
  ...over,
});

describe('makeGrantUpload', () => {
  it('signs terms naming both pinned fingerprints and the payload, and sends public keys only', async () => {
    expect(upload.terms).toMatchObject({
      grantId: GRANT,
      version: 1,
      ownerAddress: 'owner@example.org',
      ownerFingerprint: owner.summary.fingerprint,
      trustedAddress: 'trusted@example.org',
      trustedFingerprint: trusted.summary.fingerprint,
      waitingDays: 14,
      kind: 'key',
      createdAt: NOW.getTime(),
      payloadSha256: payloadSha256(upload.payload),
    });
    expect(await verifyGrantTerms({ ...upload, now: NOW })).toEqual({ signedAt: NOW.getTime() });
    for (const key of [upload.ownerKey, upload.trustedKey]) expect(key).toMatch(/PUBLIC KEY BLOCK/);
    expect(JSON.stringify(upload)).not.toContain('PRIVATE KEY');
  });

  it('refuses what cannot work: a locked key, a key without the address, yourself, a period out of range', async () => {
    const base = {
      ownerKey: owner.unlocked,
      ownerAddress: 'owner@example.org',
      trustedAddress: 'trusted@example.org',
      trustedKey: trusted.publicKeyArmored,
      waitingDays: 14,
      grantId: GRANT,
      version: 1,
      date: NOW,
    };
    for (const over of [
      { ownerKey: owner.privateKeyArmored as UnlockedKey },
      { ownerAddress: 'someone-else@example.org' },
      { trustedAddress: 'stranger@example.org' },
      { trustedAddress: 'owner@example.org', trustedKey: owner.publicKeyArmored },
      { waitingDays: 0 },
      { waitingDays: 91 },
      { waitingDays: 1.5 },
    ]) {
      await expect(makeGrantUpload({ ...base, ...over })).rejects.toMatchObject({ code: 'invalid_input' });
    }
  });
});

describe('openRelease', () => {
  it('gives the owner’s key, unprotected, to the trusted person', async () => {
    const opened = await openRelease({
      release: release(),
      trustedKey: trusted.unlocked,
      expectedOwnerFingerprint: owner.summary.fingerprint,
      now: NOW,
    });
    expect(opened).toMatchObject({ ownerFingerprint: owner.summary.fingerprint, grantId: GRANT, version: 1 });
    const key = await openpgp.readPrivateKey({ armoredKey: opened.ownerKey });
    expect(key.isDecrypted()).toBe(true);
    expect(key.getFingerprint().toUpperCase()).toBe(owner.summary.fingerprint);
  });

  it('nobody else opens the payload: not the owner, not a stranger', async () => {
    for (const key of [owner.unlocked, stranger.unlocked]) {
      await expect(openRelease({ release: release(), trustedKey: key, now: NOW })).rejects.toMatchObject({
        code: 'invalid_input',
      }); // the terms name another key
      await expect(
        openpgp.decrypt({
          message: await openpgp.readMessage({ armoredMessage: upload.payload }),
          decryptionKeys: await openpgp.readPrivateKey({ armoredKey: key }),
        }),
      ).rejects.toThrow();
    }
  });

  it('a keyserver swapping the payload for another sealed to the same trusted key is caught by the hash', async () => {
    const other = await sealLegacyPayload({
      ownerKey: stranger.unlocked,
      trustedKey: trusted.publicKeyArmored,
      date: NOW,
    });
    await expect(
      openRelease({ release: release({ payload: other }), trustedKey: trusted.unlocked, now: NOW }),
    ).rejects.toThrow(/not the one the owner signed/);
  });

  it('a keyserver changing the terms (a shorter wait) breaks the owner’s signature', async () => {
    const terms = { ...upload.terms, waitingDays: 1 };
    await expect(
      openRelease({ release: release({ terms }), trustedKey: trusted.unlocked, now: NOW }),
    ).rejects.toMatchObject({ details: { reason: 'terms_invalid' } });
  });

  it('a grant the keyserver made up (its own key, self-consistent) is refused against the pinned owner key', async () => {
    const fake = await makeGrantUpload({
      ownerKey: stranger.unlocked,
      ownerAddress: 'stranger@example.org',
      trustedAddress: 'trusted@example.org',
      trustedKey: trusted.publicKeyArmored,
      waitingDays: 1,
      grantId: GRANT,
      version: 1,
      date: NOW,
    });
    const forged = release({ ...fake, terms: { ...fake.terms } });
    // Self-consistent, so it opens without a pinned owner key ...
    expect(
      (await openRelease({ release: forged, trustedKey: trusted.unlocked, now: NOW })).ownerFingerprint,
    ).toBe(stranger.summary.fingerprint);
    // ... and is refused with one.
    await expect(
      openRelease({
        release: forged,
        trustedKey: trusted.unlocked,
        expectedOwnerFingerprint: owner.summary.fingerprint,
        now: NOW,
      }),
    ).rejects.toThrow(/not the key you have/);
  });

  it('a payload holding another key than the owner key is refused, even if the owner signed it all', async () => {
    // The owner's device sealing the stranger's key (a bug, or a trick) under its own signature.
    const inner = await openpgp.readPrivateKey({ armoredKey: stranger.unlocked });
    const payload = (await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: inner.write(), format: 'binary' }),
      encryptionKeys: await openpgp.readKey({ armoredKey: trusted.publicKeyArmored }),
      signingKeys: await openpgp.readPrivateKey({ armoredKey: owner.unlocked }),
      date: NOW,
    })) as string;
    const terms = { ...upload.terms, payloadSha256: payloadSha256(payload) };
    const termsSignature = await signText({ key: owner.unlocked, text: grantTermsText(terms), date: NOW });
    await expect(
      openRelease({
        release: release({ terms, termsSignature, payload }),
        trustedKey: trusted.unlocked,
        now: NOW,
      }),
    ).rejects.toThrow(/another key than the owner/);
  });

  it('a payload that a password also opens is refused before decryption', async () => {
    const inner = await openpgp.readPrivateKey({ armoredKey: owner.unlocked });
    const payload = (await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: inner.write(), format: 'binary' }),
      encryptionKeys: await openpgp.readKey({ armoredKey: trusted.publicKeyArmored }),
      passwords: ['operator knows this'],
      signingKeys: inner,
      date: NOW,
    })) as string;
    const terms = { ...upload.terms, payloadSha256: payloadSha256(payload) };
    const termsSignature = await signText({ key: owner.unlocked, text: grantTermsText(terms), date: NOW });
    await expect(
      openRelease({
        release: release({ terms, termsSignature, payload }),
        trustedKey: trusted.unlocked,
        now: NOW,
      }),
    ).rejects.toThrow(/trusted key alone/);
  });

  it('the payload is signed by the owner: an unsigned one is refused', async () => {
    const inner = await openpgp.readPrivateKey({ armoredKey: owner.unlocked });
    const payload = (await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: inner.write(), format: 'binary' }),
      encryptionKeys: await openpgp.readKey({ armoredKey: trusted.publicKeyArmored }),
      date: NOW,
    })) as string;
    const terms = { ...upload.terms, payloadSha256: payloadSha256(payload) };
    const termsSignature = await signText({ key: owner.unlocked, text: grantTermsText(terms), date: NOW });
    await expect(
      openRelease({
        release: release({ terms, termsSignature, payload }),
        trustedKey: trusted.unlocked,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
