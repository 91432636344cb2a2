import { z } from 'zod';
import { KeywardError } from '../../shared/errors';
import type { StorageArea } from '../platform/storage';

const KEY = 'sites';
const schema = z.record(z.string(), z.object({ enabled: z.literal(true), since: z.number() }));

export interface SitesDeps {
  readonly local: StorageArea;
  /** Re-registers the content scripts for exactly these origins (extension/platform/content-scripts.ts). */
  readonly register: (origins: readonly string[]) => Promise<void>;
  readonly mayReach: (origin: string) => Promise<boolean>;
  readonly now: () => number;
}

/** The sites the user opted in, remembered in storage.local; each change re-registers the interception scripts. */
export function createSitesStore({ local, register, mayReach, now }: SitesDeps) {
  async function all() {
    const parsed = schema.safeParse((await local.get(KEY)) ?? {});
    return parsed.success ? parsed.data : {};
  }
  return {
    async isEnabled(origin: string): Promise<boolean> {
      return origin in (await all());
    },
    async setEnabled(origin: string, enabled: boolean): Promise<void> {
      if (enabled && !(await mayReach(origin))) {
        throw new KeywardError('forbidden', `Keyward needs permission to read and change ${origin} first.`);
      }
      const sites = await all();
      if (enabled) sites[origin] = { enabled: true, since: now() };
      else delete sites[origin];
      await local.set({ [KEY]: sites });
      await register(Object.keys(sites));
    },
  };
}

export type SitesStore = ReturnType<typeof createSitesStore>;
