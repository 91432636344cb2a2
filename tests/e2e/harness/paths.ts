import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the e2e harness finds and puts things; all absolute. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** `wxt build -b chrome` output (wxt.config.ts: outDir '.output'). */
export const extensionDir = join(repoRoot, '.output', 'chrome-mv3');
/** Sample web pages served by the static server. */
export const sitesDir = join(repoRoot, 'tests', 'e2e', 'sites');
/** Git-ignored; PNGs a person can open to see what the UI showed. */
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');

/** Debian's unbranded Chromium: it keeps --load-extension, which Google-branded Chrome 137+ ignores. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}
