import { describe, expect, it } from 'vitest';
import { Fingerprint } from '../../../shared/identity';
import type { ImportCandidate } from '../../model';
import { candidateFacts, importPlan } from './import-plan';

const key = (over: Partial<ImportCandidate>): ImportCandidate => ({
  fingerprint: Fingerprint.parse('A'.repeat(40)),
  userIds: ['Alice <alice@example.org>'],
  algorithm: 'Ed25519',
  version: 4,
  isPrivate: true,
  isLocked: true,
  alreadyInVault: false,
  ...over,
});

describe('importPlan', () => {
  it('asks a locked key for its own passphrase', () => {
    expect(importPlan([key({})])).toEqual({
      importable: true,
      askPassphrase: true,
      askNewPassphrase: false,
      newIsKeywards: false,
      note: '',
    });
  });

  it('asks an unprotected key for a new passphrase', () => {
    expect(importPlan([key({ isLocked: false })])).toMatchObject({
      askPassphrase: false,
      askNewPassphrase: true,
    });
  });

  it('asks for both when a file holds both kinds', () => {
    expect(importPlan([key({}), key({ isLocked: false })])).toMatchObject({
      askPassphrase: true,
      askNewPassphrase: true,
    });
  });

  it('refuses a public key and says only private keys go here', () => {
    const plan = importPlan([key({}), key({ isPrivate: false, isLocked: false })]);
    expect(plan).toMatchObject({ importable: false, askPassphrase: false, askNewPassphrase: false });
    expect(plan.note).toMatch(/^Only private keys go here/);
  });

  it('says a key already in Keyward is updated, keeping its passphrase there', () => {
    expect(importPlan([key({ alreadyInVault: true })]).note).toMatch(
      /^Keyward already has this key\. Importing adds .* nothing is lost\. Use the passphrase the key has in Keyward\.$/,
    );
  });

  it("asks an unprotected key already in Keyward for Keyward's passphrase, not a new one", () => {
    expect(importPlan([key({ isLocked: false, alreadyInVault: true })])).toMatchObject({
      askNewPassphrase: true,
      newIsKeywards: true,
    });
    expect(importPlan([key({ isLocked: false })]).newIsKeywards).toBe(false);
  });

  it('has nothing to import from an empty file', () => {
    expect(importPlan([])).toMatchObject({ importable: false, note: 'This file holds no OpenPGP key.' });
  });
});

describe('candidateFacts', () => {
  it.each([
    [{}, ['Private key, protected by a passphrase', 'Ed25519, OpenPGP version 4']],
    [{ isLocked: false }, ['Private key without a passphrase', 'Ed25519, OpenPGP version 4']],
    [
      { isPrivate: false, isLocked: false, version: 6 as const },
      ['Public key only', 'Ed25519, OpenPGP version 6'],
    ],
    [
      { alreadyInVault: true },
      ['Private key, protected by a passphrase', 'Ed25519, OpenPGP version 4', 'Already in Keyward'],
    ],
  ])('%o', (over, facts) => expect(candidateFacts(key(over))).toEqual(facts));
});
