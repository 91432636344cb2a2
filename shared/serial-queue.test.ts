import { describe, expect, it } from 'vitest';
import { serialQueue } from './serial-queue';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serialQueue', () => {
  it('runs work one at a time in call order, even when earlier work is slower', async () => {
    const serial = serialQueue();
    const log: string[] = [];
    const step = (name: string, ms: number) =>
      serial(async () => {
        log.push(`start ${name}`);
        await later(ms);
        log.push(`end ${name}`);
        return name;
      });
    expect(await Promise.all([step('a', 20), step('b', 0), step('c', 5)])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps going after a failure, which its caller still sees', async () => {
    const serial = serialQueue();
    const failed = serial(() => Promise.reject(new Error('boom')));
    const next = serial(() => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});
