import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';

/**
 * The extension uses openpgp.js's lightweight build (the same code, its optional parts in chunks) so that one chunk,
 * the hashes openpgp.js streams files through, can be Keyward's (extension/platform/openpgp-hashes.ts: the same
 * @noble/hashes functions, SHA-2 over streams in WebAssembly). Builds only: tests in Node use Node's own build.
 * The build fails if openpgp.js no longer loads that chunk, rather than shipping without it unnoticed.
 */
function openpgpStreamedHashes(): Plugin {
  const root = dirname(fileURLToPath(import.meta.url));
  const lightweight = join(root, 'node_modules/openpgp/dist/lightweight/openpgp.min.mjs');
  const standIn = join(root, 'extension/platform/openpgp-hashes.ts');
  let swapped = false;
  return {
    name: 'keyward:openpgp-streamed-hashes',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'openpgp') return lightweight;
      if (source === './noble_hashes.min.mjs' && importer === lightweight) {
        swapped = true;
        return standIn;
      }
      return null;
    },
    buildEnd(error) {
      if (!error && !swapped && this.getModuleInfo(lightweight) !== null) {
        this.error(
          'openpgp.js no longer imports ./noble_hashes.min.mjs: update wxt.config.ts and openpgp-hashes.ts',
        );
      }
    },
  };
}

// One place for the extension's manifest (docs/architecture.md). Files cross ports by structured clone, which
// needs Chromium 148+ (minimum_chrome_version, message_serialization); Argon2 and the streamed hashes are
// WebAssembly, which needs 'wasm-unsafe-eval' in the extension pages' CSP.
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [openpgpStreamedHashes()] }),
  hooks: {
    // WXT wraps scripts as `var name = (function(){...})(); name;`. In the page's own (MAIN) world that var would
    // be a global any page could read to detect Keyward, so the hook's wrapper is made anonymous.
    'build:done': async (wxt) => {
      const file = join(wxt.config.outDir, 'main-world-hook.js');
      const code = await readFile(file, 'utf8').catch(() => undefined);
      if (code === undefined) return;
      const anonymous = code.replace(/^var mainWorldHook\s*=\s*/, '').replace(/\n?mainWorldHook;\s*$/, '\n');
      if (anonymous === code || /mainWorldHook/.test(anonymous)) {
        throw new Error(
          'main-world-hook.js: WXT output changed; update the anonymising hook in wxt.config.ts',
        );
      }
      await writeFile(file, anonymous);
    },
  },
  manifest: ({ browser }) => ({
    name: 'Keyward',
    description:
      'Encrypts files before they are uploaded to the sites you choose, and decrypts them on download.',
    permissions: [
      'storage',
      'alarms',
      'activeTab',
      'scripting',
      'downloads',
      'contextMenus',
      'offscreen',
      // Protected sites may not read the clipboard or open pop-ups without a click (extension/platform/site-settings.ts).
      'contentSettings',
      // Every frame of a protected page is found as it starts to load, even in a closed shadow root
      // (extension/intercept/frame-guard.ts).
      'webNavigation',
      // Protected sites are never shown in another origin's frame (extension/platform/framing.ts).
      'declarativeNetRequestWithHostAccess',
    ].filter(
      (p) =>
        browser !== 'firefox' ||
        (p !== 'offscreen' && p !== 'contentSettings' && p !== 'declarativeNetRequestWithHostAccess'),
    ),
    // Sites the user opts in (and other keyservers) are asked for one by one. MV2 (Firefox) lists optional hosts
    // under optional_permissions; WXT does not move them there itself.
    ...(browser === 'firefox'
      ? { optional_permissions: ['https://*/*', 'http://*/*'] }
      : { optional_host_permissions: ['https://*/*', 'http://*/*'] }),
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    // The in-page notice (extension/intercept/in-page-notice.ts) is an extension page framed in web pages. In
    // Chromium only through the per-session dynamic address, so a page cannot probe for Keyward by its fixed id;
    // Firefox's addresses carry a random per-install id already.
    web_accessible_resources:
      browser === 'firefox'
        ? ['notice.html']
        : [{ resources: ['notice.html'], matches: ['http://*/*', 'https://*/*'], use_dynamic_url: true }],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: 'keyward@keyward.dev', strict_min_version: '128.0' },
          },
        }
      : { minimum_chrome_version: '148', message_serialization: 'structured_clone' }),
  }),
});
