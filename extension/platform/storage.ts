import { browser } from 'wxt/browser';

/**
 * A key-value area of extension storage. `local` persists on disk (only locked keys and settings go there);
 * `session` lives in memory, survives service-worker restarts and is cleared when the browser restarts (unlocked
 * keys go there). Values are plain data (structured-clone serialisable).
 */
export interface StorageArea {
  get(key: string): Promise<unknown>;
  getAll(): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | readonly string[]): Promise<void>;
}

function areaOf(area: typeof browser.storage.local): StorageArea {
  return {
    async get(key) {
      const items: Record<string, unknown> = await area.get(key);
      return items[key];
    },
    getAll: () => area.get<Record<string, unknown>>(null),
    set: (items) => area.set(items),
    remove: (keys) => area.remove(typeof keys === 'string' ? keys : [...keys]),
  };
}

export function localStorageArea(): StorageArea {
  return areaOf(browser.storage.local);
}

export function sessionStorageArea(): StorageArea {
  return areaOf(browser.storage.session);
}

/**
 * Keeps session storage (unlocked keys) to the extension's own pages and background: content scripts run next to
 * untrusted pages and must never read it. Chromium's default already is this; saying it guards against a change.
 */
export async function restrictSessionStorage(): Promise<void> {
  const session = browser.storage.session as {
    setAccessLevel?: (o: { accessLevel: string }) => Promise<void>;
  };
  await session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
}
