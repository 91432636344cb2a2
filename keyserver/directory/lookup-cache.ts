import type { Store } from '../store/ports';

/**
 * A short-lived, per-process cache of lookup results, so hot keys are answered without store reads or OpenPGP
 * work. Every write this process makes to keys or bindings clears it at once (see `notifyingStore`); writes by
 * other keyserver processes (or the admin CLI) are seen within `ttlMs`, the bound docs/deploy.md states.
 * Expiry uses the monotonic process clock on purpose: it bounds staleness, it is not domain time.
 */
export function createLookupCache<T>(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const ttlMs = options.ttlMs ?? 1000;
  // Entries live 1 s: a few thousand cover the hot set, and bound memory even with 32 KiB keys (~150 MiB worst).
  const maxEntries = options.maxEntries ?? 2_000;
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  let generation = 0;

  return {
    invalidate(): void {
      generation++;
      entries.clear();
    },
    get(key: string, load: () => Promise<T>): Promise<T> {
      const now = performance.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.value;
      const started = generation;
      const value = load();
      // Only a result whose load began after the last write may be kept; failures are never kept.
      entries.set(key, { value, until: now + ttlMs });
      value.then(
        () => {
          if (generation !== started) entries.delete(key);
        },
        () => entries.delete(key),
      );
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}

/** The store with every key and binding write reported to `onWrite` once it is done. */
export function notifyingStore(store: Store, onWrite: () => void): Store {
  const after =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        onWrite();
      }
    };
  const { keys, bindings } = store;
  return {
    ...store,
    keys: {
      ...keys,
      putKey: after(keys.putKey.bind(keys)),
      deleteKey: after(keys.deleteKey.bind(keys)),
      deleteExpiredKeys: after(keys.deleteExpiredKeys.bind(keys)),
    },
    bindings: {
      ...bindings,
      publish: after(bindings.publish.bind(bindings)),
      unpublish: after(bindings.unpublish.bind(bindings)),
    },
  };
}

export type LookupCache<T> = ReturnType<typeof createLookupCache<T>>;
