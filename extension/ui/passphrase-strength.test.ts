import { describe, expect, it } from 'vitest';
import { passphraseStrength } from './passphrase-strength';

describe('passphraseStrength', () => {
  it('refuses a common password', async () => {
    const s = await passphraseStrength('password123');
    expect(s.acceptable).toBe(false);
    expect(s.advice).not.toBe('');
  });

  it('accepts a long random passphrase', async () => {
    const s = await passphraseStrength('vivid-otter-carries-seventeen-lanterns');
    expect(s).toMatchObject({ acceptable: true, score: 4 });
  });

  it("counts the user's own name and address against the passphrase", async () => {
    const alone = await passphraseStrength('Wilhelmina Quackenbush1');
    const withName = await passphraseStrength('Wilhelmina Quackenbush1', [
      'Wilhelmina Quackenbush',
      'wilhelmina.quackenbush@example.org',
    ]);
    expect(withName.score).toBeLessThan(alone.score);
  });
});
