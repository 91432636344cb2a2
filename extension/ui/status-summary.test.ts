import { describe, expect, it } from 'vitest';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import type { VaultKey } from '../model';
import { summarizeStatus } from './status-summary';

const alice: VaultKey = {
  fingerprint: Fingerprint.parse('A'.repeat(40)),
  keyId: KeyId.parse('A'.repeat(16)),
  version: 4,
  algorithm: 'Ed25519',
  userIds: ['Alice <alice@example.org>'],
  emails: [Email.parse('alice@example.org')],
  created: 0,
  expires: null,
  revoked: false,
  expired: false,
  canEncrypt: true,
  isDefault: true,
  unlocked: false,
  autoLockAt: null,
};
const unlocked = { ...alice, unlocked: true, autoLockAt: 1 };

describe('summarizeStatus', () => {
  it.each([
    [
      'no key',
      { keys: 0, locked: true, defaultKey: null },
      'no-key',
      'No key yet',
      null,
      /^Keyward needs your key/,
    ],
    [
      'a locked key',
      { keys: 1, locked: true, defaultKey: alice },
      'locked',
      'Locked',
      'Alice <alice@example.org>',
      /^Unlock your key/,
    ],
    [
      'an unlocked key',
      { keys: 1, locked: false, defaultKey: unlocked },
      'unlocked',
      'Unlocked',
      'Alice <alice@example.org>',
      /^Ready/,
    ],
    // Another key is unlocked, but uploads use the default key: that one's state is what the user needs to know.
    [
      'a locked default beside an unlocked key',
      { keys: 2, locked: false, defaultKey: alice },
      'locked',
      'Locked',
      'Alice <alice@example.org> (your default of 2 keys)',
      /^Unlock/,
    ],
  ] as const)('%s', (_name, status, state, label, who, detail) => {
    expect(summarizeStatus({ version: '1.0.0', ...status })).toEqual({
      state,
      label,
      who,
      detail: expect.stringMatching(detail) as unknown,
    });
  });
});
