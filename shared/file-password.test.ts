import { describe, expect, it } from 'vitest';
import { generateFilePassword } from './file-password';

describe('generateFilePassword', () => {
  it('gives six groups of four from the unambiguous alphabet', () => {
    for (let i = 0; i < 50; i++)
      expect(generateFilePassword()).toMatch(/^([a-km-np-z2-9]{4}-){5}[a-km-np-z2-9]{4}$/);
  });

  it('uses every character of its alphabet evenly (no bias from the byte to character mapping)', () => {
    const counts = new Map<string, number>();
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    let at = 0;
    const random = (n: number) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = every[at++ % 256]!;
      return out;
    };
    for (let i = 0; i < 32; i++)
      for (const c of generateFilePassword(random).replaceAll('-', ''))
        counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    expect(new Set(counts.values())).toEqual(new Set([24]));
  });

  it('differs every time', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateFilePassword()));
    expect(seen.size).toBe(200);
  });
});
