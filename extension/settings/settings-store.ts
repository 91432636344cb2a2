import { z } from 'zod';
import { KeywardError } from '../../shared/errors';
import { serialQueue } from '../../shared/serial-queue';
import { DEFAULT_LOOKUP_ORDER, LOOKUP_SOURCES } from '../directory/key-lookup';
import type { Settings } from '../model';
import type { StorageArea } from '../platform/storage';
import { randomSecurityPhrase } from './security-phrase';

const KEY = 'settings';

export const DEFAULT_SETTINGS: Omit<Settings, 'securityPhrase'> = {
  // What `npm start` runs (keyserver/config.ts defaults: HOST 127.0.0.1, PORT 8080).
  keyserverUrl: 'http://127.0.0.1:8080',
  autoLockMinutes: 30,
  lookupOrder: DEFAULT_LOOKUP_ORDER,
};

const storedSchema = z.object({
  keyserverUrl: z.string(),
  autoLockMinutes: z.number().int().min(1),
  securityPhrase: z.string().min(1),
  // Added after the first release: settings stored before have none, and get the default order.
  lookupOrder: z.array(z.enum(LOOKUP_SOURCES)).readonly().default(DEFAULT_LOOKUP_ORDER),
});

export interface SettingsDeps {
  readonly local: StorageArea;
  /** Whether the extension may reach a URL's origin (extension/platform/permissions.ts). */
  readonly mayReach: (url: string) => Promise<boolean>;
}

/** The user's settings in storage.local; the security phrase is drawn once, on first use, and then kept. */
export function createSettingsStore({ local, mayReach }: SettingsDeps) {
  // One at a time: the first read stores fresh defaults, and must not land after (and undo) a concurrent update.
  const serial = serialQueue();

  async function read(): Promise<Settings> {
    const raw = await local.get(KEY);
    if (raw === undefined) {
      const fresh = { ...DEFAULT_SETTINGS, securityPhrase: randomSecurityPhrase() };
      await local.set({ [KEY]: fresh });
      return fresh;
    }
    const parsed = storedSchema.safeParse(raw);
    if (!parsed.success) {
      throw new KeywardError(
        'unavailable',
        "Keyward's stored settings are damaged; save them again to repair them.",
      );
    }
    return parsed.data;
  }

  return {
    get: () => serial(read),
    update: (changes: Partial<Settings>) => serial(() => write(changes)),
  };

  async function write(changes: Partial<Settings>): Promise<Settings> {
    const current = await read().catch(() => ({
      ...DEFAULT_SETTINGS,
      securityPhrase: randomSecurityPhrase(),
    }));
    if (changes.keyserverUrl !== undefined && !(await mayReach(changes.keyserverUrl))) {
      throw new KeywardError(
        'forbidden',
        `Keyward may not reach ${new URL(changes.keyserverUrl).host} yet. Save again and allow access when asked.`,
      );
    }
    const next = { ...current, ...changes };
    await local.set({ [KEY]: next });
    return next;
  }
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
