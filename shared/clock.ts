/** Time is injected everywhere (docs/architecture.md, "Conventions") so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: starts where told and moves only when advanced. */
export function manualClock(
  start: Date | number = Date.UTC(2026, 0, 1),
): Clock & { advance(ms: number): void } {
  let t = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}
