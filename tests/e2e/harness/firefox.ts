import { execFile } from 'node:child_process';
import { access, constants, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser } from 'puppeteer-core';
import { repoRoot } from './paths';

/** Firefox ESR, as Debian installs it (`apt-get install -y firefox-esr`); FIREFOX_PATH picks another. */
export function firefoxPath(): string {
  return process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
}

export async function requireFirefox(): Promise<void> {
  try {
    await access(firefoxPath(), constants.X_OK);
  } catch {
    // Never skipped: a smoke test that silently does not run cannot fail.
    throw new Error(
      `The Firefox smoke test needs Firefox ESR at ${firefoxPath()} (set FIREFOX_PATH to use another). ` +
        'Install it with: apt-get install -y firefox-esr',
    );
  }
}

const firefoxBuild = join(repoRoot, '.output', 'firefox-mv2');

/** Builds the Firefox version of the extension (`wxt build -b firefox`) unless KEYWARD_SKIP_BUILD=1 and it exists. */
export async function buildForFirefox(): Promise<void> {
  if (process.env.KEYWARD_SKIP_BUILD === '1') {
    const exists = await access(join(firefoxBuild, 'manifest.json')).then(
      () => true,
      () => false,
    );
    if (exists) return;
  }
  await promisify(execFile)(join(repoRoot, 'node_modules', '.bin', 'wxt'), ['build', '-b', 'firefox'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** What the set-up page does in the extension, as a user would in the options page and popup. */
export interface FirefoxSetup {
  /** An armored private key to import, locked with `passphrase` (imported, it is unlocked). */
  readonly key: string;
  readonly passphrase: string;
  /** The site to opt in. */
  readonly origin: string;
  /** Where the set-up page reports how it went (a POST with the replies as JSON). */
  readonly reportUrl: string;
  /** A download to decrypt afterwards, as the link menu's "Decrypt and save with Keyward" would. */
  readonly decrypt?: { readonly url: string; readonly name: string };
}

/**
 * A copy of the Firefox build with a set-up page added. WebDriver BiDi in Firefox ESR cannot open or script
 * `moz-extension://` pages, so the test cannot click through the options page; instead the copy opens
 * `test-setup.html` once installed, which sends the same protocol messages the options page and popup send (the
 * background checks them as it checks theirs), then opens the decrypt page for a download. Only the copy changes;
 * the extension's own files are byte for byte the build under test.
 */
export async function firefoxExtensionWithSetup(
  setup: FirefoxSetup,
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'keyward-e2e-ff-'));
  await cp(firefoxBuild, dir, { recursive: true });
  await writeFile(
    join(dir, 'test-setup.html'),
    '<!doctype html><meta charset="utf-8"><script src="test-setup.js"></script>',
  );
  await writeFile(
    join(dir, 'test-setup.js'),
    `const setup = ${JSON.stringify(setup)};
(async () => {
  const send = (type, payload) => browser.runtime.sendMessage({ type, payload });
  const replies = [];
  replies.push(await send('vault.import', { data: setup.key, passphrase: setup.passphrase }));
  replies.push(await send('sites.setEnabled', { origin: setup.origin, enabled: true }));
  await fetch(setup.reportUrl, { method: 'POST', body: JSON.stringify(replies) });
  if (setup.decrypt) {
    // The decrypt page offers the download and decrypts it only on the user's click: this page, of the extension's
    // own origin, frames it and clicks for the user.
    const frame = document.createElement('iframe');
    frame.src = browser.runtime.getURL('decrypt.html') + '#' + encodeURIComponent(JSON.stringify(setup.decrypt));
    document.body.append(frame);
    for (;;) {
      const button = frame.contentDocument && frame.contentDocument.getElementById('offer-decrypt');
      if (button && frame.contentDocument.getElementById('offer').hidden === false) {
        // Its buttons wake only once the page has been seen, focused, for a moment.
        if (!frame.contentDocument.hasFocus()) frame.contentWindow.focus();
        if (!button.disabled) {
          button.click();
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
})().catch((error) => fetch(setup.reportUrl, { method: 'POST', body: JSON.stringify({ error: String(error) }) }));
`,
  );
  await writeFile(
    join(dir, 'test-setup-background.js'),
    `browser.runtime.onInstalled.addListener(() => browser.tabs.create({ url: browser.runtime.getURL('test-setup.html') }));\n`,
  );
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { background: { scripts: string[] } };
  manifest.background.scripts.push('test-setup-background.js');
  await writeFile(manifestPath, JSON.stringify(manifest));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Firefox ESR over WebDriver BiDi (puppeteer-core), headless, downloads saved to `downloadsDir` without asking. */
export async function launchFirefox(
  downloadsDir: string,
): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'keyward-e2e-ffprofile-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    userDataDir: profile,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: {
      'browser.download.dir': downloadsDir,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.alwaysOpenPanel': false,
      'browser.download.start_downloads_in_tmp_dir': false,
    },
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
