import { readFileSync } from 'node:fs';

/**
 * Tests only, loaded with `node --import` into a keyserver process (keyserver-process.ts, `clockFile`): the
 * process's wall clock (`Date`, `Date.now`) runs ahead by the milliseconds written in the file that
 * KEYWARD_TEST_CLOCK_FILE names, read afresh at every reading, so a test moves time in running keyserver processes
 * (days of a waiting period) without waiting. Timers and the production code are untouched: main.ts still uses the
 * system clock, which is what this shifts.
 */
const file = process.env.KEYWARD_TEST_CLOCK_FILE;

if (file) {
  const RealDate = Date;
  const shift = (): number => {
    try {
      return Number(readFileSync(file, 'utf8').trim()) || 0;
    } catch {
      return 0;
    }
  };
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + shift());
      else super(...(args as [string | number]));
    }

    static override now(): number {
      return RealDate.now() + shift();
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
