import { describe, expect, it } from 'vitest';
import { summarizeStatus } from './status-summary';

describe('summarizeStatus', () => {
  it.each([
    [{ keys: 0, locked: true }, 'no-key', 'No key yet', /^Keyward needs your key/],
    [{ keys: 0, locked: false }, 'no-key', 'No key yet', /^Keyward needs your key/],
    [{ keys: 1, locked: true }, 'locked', 'Locked', /^1 key, locked/],
    [{ keys: 2, locked: false }, 'unlocked', 'Unlocked', /^2 keys, ready/],
  ])('%o is %s', (status, state, label, detail) => {
    const summary = summarizeStatus({ version: '1.0.0', defaultKey: null, ...status });
    expect(summary).toEqual({ state, label, detail: expect.stringMatching(detail) as unknown });
  });
});
