import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { isKeywardError } from '../../shared/errors';
import { localStorageArea } from '../platform/storage';
import { createSitesStore, outputFileName } from './sites-store';

const SITE = 'https://files.example.com';
const NONE = { groups: [], people: [] };

function store(registered: string[][] = []) {
  return createSitesStore({
    local: localStorageArea(),
    register: (origins) => {
      registered.push([...origins]);
      return Promise.resolve();
    },
    mayReach: () => Promise.resolve(true),
    now: () => 1000,
  });
}

beforeEach(() => fakeBrowser.reset());

describe('sites store', () => {
  it('keeps per-site options, which survive turning the site off and on only as defaults', async () => {
    const registered: string[][] = [];
    const sites = store(registered);
    await sites.setEnabled(SITE, true);
    expect(await sites.options(SITE)).toEqual({
      strict: false,
      outputName: 'pgp',
      forGnuPG: false,
      recipients: NONE,
    });
    expect(await sites.update(SITE, { strict: true })).toEqual({
      strict: true,
      outputName: 'pgp',
      forGnuPG: false,
      recipients: NONE,
    });
    expect(await sites.update(SITE, { outputName: 'same' })).toEqual({
      strict: true,
      outputName: 'same',
      forGnuPG: false,
      recipients: NONE,
    });
    const team = { groups: ['g1'], people: ['bob@example.org'] };
    expect(await sites.update(SITE, { recipients: team })).toEqual({
      strict: true,
      outputName: 'same',
      forGnuPG: false,
      recipients: team,
    });
    expect(await sites.update(SITE, { recipients: NONE })).toMatchObject({ recipients: NONE });
    expect(await sites.update(SITE, { forGnuPG: true })).toMatchObject({
      forGnuPG: true,
      outputName: 'same',
    });
    expect(await sites.update(SITE, { forGnuPG: false })).toMatchObject({ forGnuPG: false });
    // A second store over the same storage (a restarted service worker) reads the same options.
    expect(await store().options(SITE)).toEqual({
      strict: true,
      outputName: 'same',
      forGnuPG: false,
      recipients: NONE,
    });
    await sites.setEnabled(SITE, true); // again: options stay
    expect(await sites.options(SITE)).toEqual({
      strict: true,
      outputName: 'same',
      forGnuPG: false,
      recipients: NONE,
    });
    await sites.setEnabled(SITE, false);
    expect(await sites.options(SITE)).toEqual({
      strict: false,
      outputName: 'pgp',
      forGnuPG: false,
      recipients: NONE,
    });
    expect(registered.at(-1)).toEqual([]);
  });

  it('reads sites stored before options existed with the defaults', async () => {
    await fakeBrowser.storage.local.set({ sites: { [SITE]: { enabled: true, since: 5 } } });
    expect(await store().isEnabled(SITE)).toBe(true);
    expect(await store().options(SITE)).toEqual({
      strict: false,
      outputName: 'pgp',
      forGnuPG: false,
      recipients: NONE,
    });
  });

  it('reports a damaged list instead of reading it as empty (uploads fail closed), and turning a site on repairs it', async () => {
    await fakeBrowser.storage.local.set({ sites: { [SITE]: { enabled: 'yes' } } });
    const sites = store();
    const error: unknown = await sites.isEnabled(SITE).catch((e: unknown) => e);
    expect(isKeywardError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toMatch(/damaged/);
    await sites.setEnabled(SITE, true);
    expect(await sites.isEnabled(SITE)).toBe(true);
    expect(await sites.options(SITE)).toEqual({
      strict: false,
      outputName: 'pgp',
      forGnuPG: false,
      recipients: NONE,
    });
  });

  it('refuses options for a site that is not on', async () => {
    const error: unknown = await store()
      .update(SITE, { strict: true })
      .catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
  });

  it.each([
    ['pgp', 'report.pdf.pgp'],
    ['gpg', 'report.pdf.gpg'],
    ['same', 'report.pdf'],
  ] as const)('names encrypted files with %s as %s', (option, name) => {
    expect(outputFileName('report.pdf', option)).toBe(name);
  });
});
