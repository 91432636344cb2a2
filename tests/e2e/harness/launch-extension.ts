import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page, type Worker } from 'playwright-core';
import { chromiumPath, extensionDir as builtExtensionDir } from './paths';

export interface LaunchOptions {
  /** Unpacked extension to load; default the e2e build in .output/chrome-mv3. */
  readonly extensionDir?: string;
  /**
   * Let downloads land in this folder without a prompt, through Chromium's own download path (so the
   * extension's downloads.onDeterminingFilename sees them), not Playwright's download handling.
   */
  readonly downloadsDir?: string;
  /** Extra Chromium flags, e.g. `--host-resolver-rules=MAP insecure.test 127.0.0.1`. */
  readonly args?: readonly string[];
  /**
   * Installing Keyward opens its welcome (the options page). Closed before the test starts unless `keep`, so that
   * tests waiting for a page of their own do not see it; `keep` leaves it for `welcomePage`.
   */
  readonly welcome?: 'close' | 'keep';
  /**
   * Profile preferences written before launch, as a user would have set them (site permissions, say): content
   * settings given here are the user's, which an extension's own rules must win over.
   */
  readonly preferences?: Record<string, unknown>;
  /** Keep Chromium's pop-up blocker on (Playwright turns it off by default), as it is for users. */
  readonly popupBlocking?: boolean;
}

export interface OpenPageOptions {
  /** Viewport for this page, e.g. the popup's size so a screenshot shows what a user sees. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface LaunchedExtension {
  readonly context: BrowserContext;
  readonly extensionId: string;
  readonly serviceWorker: Worker;
  readonly profileDir: string;
  /** `chrome-extension://<id>/<path>` */
  extensionUrl(path: string): string;
  /** Opens an extension page (`popup.html`, `options.html`, ...) in a new tab and waits for it to load. */
  openExtensionPage(path: string, options?: OpenPageOptions): Promise<Page>;
  /** Uncaught errors and console errors from every page and the service worker so far, each with its URL. */
  errors(): readonly string[];
  /** The welcome page the install opened; closed already unless launched with `welcome: 'keep'`. */
  readonly welcomePage: Page;
  /** Closes Chromium and removes the profile. Safe to call twice. */
  close(): Promise<void>;
}

// Without these Chromium keeps trying hosts this machine cannot reach (tests have no network but 127.0.0.1).
const quietFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// Fallback for a worker that exits without running afterAll: Playwright kills its browsers itself, but the
// profile folders would stay behind in /tmp.
const liveProfiles = new Set<string>();
process.once('exit', () => {
  for (const dir of liveProfiles) rmSync(dir, { recursive: true, force: true });
});

/** Starts Debian's Chromium with a fresh empty profile and the built extension, and waits for its worker. */
export async function launchExtension(options: LaunchOptions = {}): Promise<LaunchedExtension> {
  const extensionDir = options.extensionDir ?? builtExtensionDir;
  const profileDir = await mkdtemp(join(tmpdir(), 'keyward-e2e-'));
  liveProfiles.add(profileDir);
  const removeProfile = async () => {
    await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
    liveProfiles.delete(profileDir);
  };

  let context: BrowserContext | undefined;
  try {
    await writePreferences(profileDir, {
      ...(options.preferences ?? {}),
      ...(options.downloadsDir === undefined
        ? {}
        : { download: { default_directory: options.downloadsDir, prompt_for_download: false } }),
    });
    if (options.downloadsDir !== undefined) await mkdir(options.downloadsDir, { recursive: true });
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      headless: true,
      ...(options.popupBlocking ? { ignoreDefaultArgs: ['--disable-popup-blocking'] } : {}),
      args: [
        ...quietFlags,
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        ...(options.args ?? []),
      ],
    });
    const errors: string[] = [];
    watchErrors(context, errors);
    const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const welcomePage = await welcomeOf(context, new URL(serviceWorker.url()).host);
    if (options.welcome !== 'keep') await welcomePage.close();
    if (options.downloadsDir !== undefined) await useChromiumDownloads(context);
    return { ...launched(context, serviceWorker, profileDir, errors, removeProfile), welcomePage };
  } catch (error) {
    await context?.close().catch(() => undefined);
    await removeProfile();
    throw error;
  }
}

function launched(
  context: BrowserContext,
  serviceWorker: Worker,
  profileDir: string,
  errors: string[],
  removeProfile: () => Promise<void>,
): Omit<LaunchedExtension, 'welcomePage'> {
  const extensionId = new URL(serviceWorker.url()).host;
  const extensionUrl = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
  let closing: Promise<void> | undefined;
  return {
    context,
    extensionId,
    serviceWorker,
    profileDir,
    extensionUrl,
    async openExtensionPage(path, pageOptions = {}) {
      const page = await context.newPage();
      if (pageOptions.viewport) await page.setViewportSize(pageOptions.viewport);
      await page.goto(extensionUrl(path), { waitUntil: 'load' });
      return page;
    },
    errors: () => [...errors],
    close() {
      closing ??= context.close().finally(removeProfile);
      return closing;
    },
  };
}

/** The welcome page the install opened (the options page), once it has loaded. */
async function welcomeOf(context: BrowserContext, extensionId: string): Promise<Page> {
  const url = `chrome-extension://${extensionId}/options.html`;
  // The tab may exist already, still on its way to the page: look until one shows it.
  for (const started = Date.now(); Date.now() - started < 20_000;) {
    const page = context.pages().find((p) => p.url() === url);
    if (page) {
      await page.waitForLoadState();
      return page;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Installing Keyward opened no welcome page (${url}).`);
}

function watchErrors(context: BrowserContext, errors: string[]): void {
  context.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const where = message.page()?.url() ?? message.worker()?.url() ?? message.location().url;
    errors.push(`console error in ${where}: ${message.text()}`);
  });
  context.on('weberror', (e) => errors.push(`uncaught in ${e.page()?.url() ?? '?'}: ${e.error().message}`));
}

async function writePreferences(profileDir: string, preferences: Record<string, unknown>): Promise<void> {
  if (Object.keys(preferences).length === 0) return;
  await mkdir(join(profileDir, 'Default'), { recursive: true });
  await writeFile(join(profileDir, 'Default', 'Preferences'), JSON.stringify(preferences));
}

// Playwright routes downloads through its own handler, which hides them from downloads.onDeterminingFilename;
// 'default' gives them back to Chromium (and to the Preferences written above).
async function useChromiumDownloads(context: BrowserContext): Promise<void> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  } finally {
    await cdp.detach();
  }
}
