import { describe, expect, it } from 'vitest';
import type { OwnerGrantItem, TrustedGrantItem } from '../../model';
import { ownerStateText, parseWaitingDays, trustedStateText } from './legacy-text';

const DAY = 86_400_000;
const at = Date.UTC(2026, 5, 1, 12, 0);
const request = { id: 'a'.repeat(32), requestedAt: at, releaseAt: at + 7 * DAY, endedAt: null };
const owned = {
  grantId: 'b'.repeat(32),
  trustedAddress: 'robin@example.org',
  ownerAddress: 'sam@example.org',
  waitingDays: 7,
  request,
  state: 'requested',
} as unknown as OwnerGrantItem;

describe('legacy texts', () => {
  it('tells the owner when access opens unless they refuse', () => {
    const text = ownerStateText(owned, 'en-GB');
    expect(text).toContain('robin@example.org asked for access on 1 June 2026');
    expect(text).toContain('They get your key on 8 June 2026');
  });

  it('tells the trusted person when they may ask again after a refusal, and that they may when they can', () => {
    const refused = {
      ...owned,
      state: 'refused',
      nextRequestAt: at + 7 * DAY,
    } as unknown as TrustedGrantItem;
    expect(trustedStateText(refused, 'en-GB')).toContain('You can ask again from 8 June 2026');
    expect(trustedStateText({ ...refused, nextRequestAt: null }, 'en-GB')).toContain('You can ask again.');
  });

  it('accepts 1 to 90 whole days and says what is wrong otherwise', () => {
    expect(parseWaitingDays(' 14 ')).toEqual({ days: 14 });
    expect(parseWaitingDays('90')).toEqual({ days: 90 });
    expect(parseWaitingDays('0')).toEqual({ problem: 'The waiting period is 1 to 90 days.' });
    expect(parseWaitingDays('91')).toEqual({ problem: 'The waiting period is 1 to 90 days.' });
    expect(parseWaitingDays('2.5')).toEqual({ problem: 'The waiting period is a whole number of days.' });
    expect(parseWaitingDays('')).toEqual({ problem: 'Enter a waiting period of 1 to 90 days.' });
  });
});
