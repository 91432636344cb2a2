import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../../fixtures/test-keys';
import { askBackgroundOk } from './ask-background';
import { launchExtension, type LaunchedExtension, type LaunchOptions } from './launch-extension';
import type { PickedFile } from './pick-files';
import { startStaticServer, type StaticServer } from './static-server';

/**
 * A hostile page's world: the opted-in site, another port of its host and another host, all three recording every
 * request they get, and the built extension with the GnuPG fixture key. The same attack pages are served by all
 * three; `control` (another host, not opted in) shows that an attack really wins where Keyward is not, so a test
 * that sees no leak on the opted-in site is not a test that could not fail.
 */
export interface HostileWorld {
  readonly ext: LaunchedExtension;
  /** The opted-in site. */
  readonly site: StaticServer;
  /** Another port of the opted-in host (match patterns cannot tell ports apart; it is not opted in). */
  readonly otherPort: StaticServer;
  /** Another host (`localhost`), not opted in: where a control run shows the attack winning without Keyward. */
  readonly control: StaticServer;
  /** `http://localhost:<port>` of the control server (it listens on 127.0.0.1; `localhost` is another host). */
  readonly controlOrigin: string;
  /** The URL of an attack page on one of the servers, told where else to send what it gets. */
  readonly attackUrl: (
    server: 'site' | 'otherPort' | 'control',
    path: string,
    query?: Record<string, string>,
  ) => string;
  /** Sets the site's mode. */
  readonly setStrict: (strict: boolean) => Promise<void>;
  readonly securityPhrase: () => Promise<string>;
  readonly close: () => Promise<void>;
}

export interface HostileWorldOptions extends Omit<LaunchOptions, 'preferences'> {
  /** The user's profile preferences, given the three origins (site permissions they granted, say). */
  readonly preferences?: (
    origins: Record<'site' | 'otherPort' | 'control', string>,
  ) => Record<string, unknown>;
  /** Opt the site in at once (default), or leave it to the test. */
  readonly optIn?: boolean;
}

export async function startHostileWorld(options: HostileWorldOptions = {}): Promise<HostileWorld> {
  const site = await startStaticServer();
  const otherPort = await startStaticServer();
  const control = await startStaticServer();
  const controlOrigin = control.origin.replace('127.0.0.1', 'localhost');
  const origins = { site: site.origin, otherPort: otherPort.origin, control: controlOrigin };
  const { preferences, optIn = true, ...launch } = options;
  const ext = await launchExtension({
    ...launch,
    ...(preferences ? { preferences: preferences(origins) } : {}),
  });
  await askBackgroundOk(ext, 'vault.import', {
    data: readFixture('gnupg-ed25519.sec'),
    passphrase: FIXTURE_PASSPHRASE,
  });
  if (optIn) await askBackgroundOk(ext, 'sites.setEnabled', { origin: site.origin, enabled: true });
  return {
    ext,
    site,
    otherPort,
    control,
    controlOrigin,
    attackUrl(server, path, query = {}) {
      const others = Object.values(origins).filter((o) => o !== origins[server]);
      const search = new URLSearchParams({ others: others.join(','), ...query });
      return `${origins[server]}${path}?${search}`;
    },
    async setStrict(strict) {
      await askBackgroundOk(ext, 'sites.update', { origin: site.origin, strict });
    },
    async securityPhrase() {
      const settings = (await askBackgroundOk(ext, 'settings.get', {})) as { securityPhrase: string };
      return settings.securityPhrase;
    },
    async close() {
      await ext.close();
      await Promise.all([site.close(), otherPort.close(), control.close()]);
    },
  };
}

/**
 * One world for the test file that calls it, started before its tests and closed after them. The object returned
 * stands for that world once it is started.
 */
export function hostileWorldForThisFile(options: HostileWorldOptions = {}): HostileWorld {
  let world: HostileWorld | undefined;
  beforeAll(async () => {
    world = await startHostileWorld(options);
  });
  afterAll(async () => {
    await world?.close();
  });
  return new Proxy({} as HostileWorld, {
    get: (_target, key: keyof HostileWorld) => {
      if (!world) throw new Error('The hostile world is used before its beforeAll started it.');
      return world[key];
    },
  });
}

/** A user drags the bytes of a file from their file manager and drops it at a point of the page. */
export async function userDrops(page: Page, bytes: Buffer, x: number, y: number): Promise<void> {
  const path = join(tmpdir(), `keyward-hostile-${process.pid}-${randomBytes(6).toString('hex')}.txt`);
  await writeFile(path, bytes);
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: [path], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
    }
  } finally {
    await cdp.detach();
    await rm(path, { force: true });
  }
}

/** A unique secret and a file holding it: what must never reach a server in the clear. */
export function secretFile(name = 'secret.txt'): { marker: string; file: PickedFile } {
  const marker = `KEYWARD-SECRET-${randomBytes(12).toString('hex')}`;
  return { marker, file: { name, mimeType: 'text/plain', buffer: Buffer.from(`${marker}\n`.repeat(40)) } };
}

/**
 * A new tab for an attack page, in front (a browser opens pickers only for the tab in front), whose file choosers
 * the test answers: Playwright intercepts them only once someone listens, so it listens from the start rather
 * than from the moment of the click (which would race the picker).
 */
export async function newAttackPage(world: HostileWorld): Promise<Page> {
  const page = await world.ext.context.newPage();
  page.on('filechooser', () => undefined);
  await page.bringToFront();
  return page;
}

/** Which picker the user met after `open`: the browser's, Keyward's window, or none within the wait. */
export type MetPicker = 'browser' | 'keyward' | 'none';

/**
 * The user does `open` (a click, a key) and, if any picker opens (the browser's, in any frame, or Keyward's window),
 * chooses `file` in it, as a user who trusts the page would.
 */
export async function userPicks(
  world: HostileWorld,
  page: Page,
  open: () => Promise<unknown>,
  file: PickedFile,
  waitMs = 1000,
): Promise<MetPicker> {
  const browser = page.waitForEvent('filechooser', { timeout: waitMs }).then(async (chooser) => {
    await chooser.setFiles(file);
    return 'browser' as const;
  });
  const keyward = world.ext.context
    .waitForEvent('page', { predicate: (p) => p.url().includes('/picker.html#'), timeout: waitMs })
    .then(async (window) => {
      await window.getByText('asks for').waitFor();
      await window.setInputFiles('#files', file);
      return 'keyward' as const;
    });
  browser.catch(() => undefined);
  keyward.catch(() => undefined);
  await open();
  return Promise.any([browser, keyward]).catch(() => 'none' as const);
}

/**
 * Reads a value out of a page's main frame without giving it a user gesture. Playwright's `page.evaluate()`
 * runs as if the user had acted (it grants the page transient activation, which no input event carries, so
 * Keyward never sees it); a hostile page watching for activation would take it. Tests of hostile pages read them
 * this way instead.
 */
export async function readPage<T>(page: Page, expression: string): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      userGesture: false,
      awaitPromise: true,
    })) as { result: { value?: unknown }; exceptionDetails?: unknown };
    if (exceptionDetails)
      throw new Error(`reading ${expression} failed: ${JSON.stringify(exceptionDetails)}`);
    return result.value as T;
  } finally {
    await cdp.detach();
  }
}

/** Where `marker` showed up: in any request to any of the three servers, or in what the page's scripts hold. */
export async function leaksOf(
  world: HostileWorld,
  marker: string,
  pages: readonly Page[] = [],
): Promise<string[]> {
  const found: string[] = [];
  const encodings = [marker, encodeURIComponent(marker), Buffer.from(marker).toString('base64').slice(0, 20)];
  for (const [name, server] of Object.entries({
    site: world.site,
    otherPort: world.otherPort,
    control: world.control,
  })) {
    for (const request of server.requests) {
      const text = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body.toString('latin1')}`;
      if (encodings.some((e) => text.includes(e)))
        found.push(`${name}: ${request.method} ${request.url.slice(0, 80)}`);
    }
  }
  for (const page of pages) {
    if (page.isClosed()) continue;
    // The main frame's scripts (what frames of the page's own origin hand up lands there, and in its storage).
    const held = await readPage<string>(
      page,
      'JSON.stringify([window.seen ?? [], { ...localStorage }])',
    ).catch(() => '');
    if (held.includes(marker)) found.push(`page script of ${page.url().slice(0, 80)}`);
  }
  return found;
}

/**
 * Where the marker went, once a leak had time to travel (a page reads the file, then fetches). When a leak is
 * expected (a control run) it is waited for, up to a few seconds; otherwise the wait is a fixed moment.
 */
export async function leaksAfterAWhile(
  world: HostileWorld,
  marker: string,
  pages: readonly Page[],
  expectLeak = false,
): Promise<string[]> {
  for (let waited = 250; ; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const found = await leaksOf(world, marker, pages);
    if (found.length > 0 || waited >= (expectLeak ? 5000 : 750)) return found;
  }
}

/** The attack page ran the steps it names (so a test knows it was really tried). */
export async function expectAttempted(page: Page, ...steps: string[]): Promise<void> {
  await expect
    .poll(() => readPage<string[]>(page, 'window.attempts ?? []').catch(() => []))
    .toEqual(expect.arrayContaining(steps));
}
