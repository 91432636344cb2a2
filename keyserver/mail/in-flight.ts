import { KeywardError } from '../../shared/errors';

/**
 * Counts sends in flight so `close()` can wait for them (graceful shutdown) and refuse new ones after it.
 */
export function trackInFlight(): {
  run<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
} {
  const pending = new Set<Promise<unknown>>();
  let closed = false;
  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      if (closed) {
        return Promise.reject(
          new KeywardError('unavailable', 'The mailer is shutting down; try again later.'),
        );
      }
      const p = work();
      pending.add(p);
      const forget = () => pending.delete(p);
      p.then(forget, forget);
      return p;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
    },
  };
}
