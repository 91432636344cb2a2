import { z } from 'zod';
import { KeywardError } from '../../shared/errors';
import { OUTPUT_NAMES, type OutputName, type SiteOptions } from '../model';
import type { StorageArea } from '../platform/storage';

const KEY = 'sites';
export const DEFAULT_SITE_OPTIONS: SiteOptions = Object.freeze({
  strict: false,
  outputName: 'pgp',
  forGnuPG: false,
  recipients: Object.freeze({ groups: [], people: [] }),
});

const schema = z.record(
  z.string(),
  z.object({
    enabled: z.literal(true),
    since: z.number(),
    // Added after the first release: sites stored before have neither, and get the defaults.
    strict: z.boolean().default(DEFAULT_SITE_OPTIONS.strict),
    outputName: z.enum(OUTPUT_NAMES).default(DEFAULT_SITE_OPTIONS.outputName),
    forGnuPG: z.boolean().default(DEFAULT_SITE_OPTIONS.forGnuPG),
    recipients: z
      .object({ groups: z.array(z.string()).readonly(), people: z.array(z.string()).readonly() })
      .default({ groups: [], people: [] }),
  }),
);

function optionsOf(site: SiteOptions): SiteOptions {
  return {
    strict: site.strict,
    outputName: site.outputName,
    forGnuPG: site.forGnuPG,
    recipients: site.recipients,
  };
}

/** The file name an upload of `name` gets on a site with these options. */
export function outputFileName(name: string, outputName: OutputName): string {
  return outputName === 'same' ? name : `${name}.${outputName}`;
}

export interface SitesDeps {
  readonly local: StorageArea;
  /**
   * Protects exactly these origins: registers the content scripts (extension/platform/content-scripts.ts) and the
   * browser settings they need (extension/platform/site-settings.ts).
   */
  readonly register: (origins: readonly string[]) => Promise<void>;
  /** A site was just opted in: its pages already open load again, so that Keyward runs in them first. */
  readonly reloadOpenPages?: (origin: string) => Promise<unknown>;
  readonly mayReach: (origin: string) => Promise<boolean>;
  readonly now: () => number;
}

/** The sites the user opted in, remembered in storage.local; each change re-registers the interception scripts. */
export function createSitesStore({ local, register, reloadOpenPages, mayReach, now }: SitesDeps) {
  /**
   * The stored list. A damaged one is reported, not read as empty: every upload on an opted-in site then fails
   * closed with this message instead of going out unencrypted. Turning a site on or off starts a new list.
   */
  async function all(options: { repair?: boolean } = {}) {
    const parsed = schema.safeParse((await local.get(KEY)) ?? {});
    if (parsed.success) return parsed.data;
    if (options.repair) return {};
    throw new KeywardError(
      'unavailable',
      "Keyward's list of sites is damaged. Turn encryption on again for this site from Keyward's toolbar " +
        'button to repair it.',
    );
  }
  return {
    async isEnabled(origin: string): Promise<boolean> {
      return origin in (await all());
    },
    /** The options of an opted-in site; the defaults for any other. */
    async options(origin: string): Promise<SiteOptions> {
      const site = (await all())[origin];
      return site ? optionsOf(site) : DEFAULT_SITE_OPTIONS;
    },
    /** Changes an opted-in site's options (a site must be opted in first). */
    async update(origin: string, change: Partial<SiteOptions>): Promise<SiteOptions> {
      const sites = await all();
      const site = sites[origin];
      if (!site) throw new KeywardError('invalid_input', `Encrypting uploads is not on for ${origin}.`);
      sites[origin] = { ...site, ...change };
      await local.set({ [KEY]: sites });
      return optionsOf(sites[origin]);
    },
    /** Protects the stored sites again (after an update that changed what protecting a site takes). */
    async reprotect(): Promise<void> {
      await register(Object.keys(await all({ repair: true })));
    },
    async setEnabled(origin: string, enabled: boolean): Promise<void> {
      if (enabled && !(await mayReach(origin))) {
        throw new KeywardError('forbidden', `Keyward needs permission to read and change ${origin} first.`);
      }
      const sites = await all({ repair: true });
      if (enabled) sites[origin] = { ...DEFAULT_SITE_OPTIONS, ...sites[origin], enabled: true, since: now() };
      else delete sites[origin];
      await local.set({ [KEY]: sites });
      await register(Object.keys(sites));
      if (enabled) await reloadOpenPages?.(origin);
    },
  };
}

export type SitesStore = ReturnType<typeof createSitesStore>;
