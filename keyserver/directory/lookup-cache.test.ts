import { describe, expect, it, vi } from 'vitest';
import { createLookupCache } from './lookup-cache';

describe('lookup cache', () => {
  it('answers repeated lookups from memory until the time-to-live passes', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const cache = createLookupCache<number>({ ttlMs: 1000 });
      const load = vi.fn(() => Promise.resolve(1));
      await cache.get('k', load);
      await cache.get('k', load);
      expect(load).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1001);
      await cache.get('k', load);
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets everything on a local write', async () => {
    const cache = createLookupCache<string>();
    await cache.get('k', () => Promise.resolve('old'));
    cache.invalidate();
    expect(await cache.get('k', () => Promise.resolve('new'))).toBe('new');
  });

  it('never keeps a result whose load raced a write (stale read after unpublish)', async () => {
    const cache = createLookupCache<string>();
    let finish!: (v: string) => void;
    const slow = cache.get('k', () => new Promise<string>((r) => (finish = r)));
    cache.invalidate(); // a write lands while the read is in flight
    finish('read before the write');
    expect(await slow).toBe('read before the write');
    expect(await cache.get('k', () => Promise.resolve('after the write'))).toBe('after the write');
  });

  it('does not keep failures', async () => {
    const cache = createLookupCache<string>();
    await expect(cache.get('k', () => Promise.reject(new Error('not found')))).rejects.toThrow();
    expect(await cache.get('k', () => Promise.resolve('now there'))).toBe('now there');
  });
});
