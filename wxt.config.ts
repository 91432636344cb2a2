import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConfig } from 'wxt';

// One place for the extension's manifest. Why each setting is here: docs/architecture.md and
// ../shared/design/extension.md (structured clone needs Chromium 148+; WASM needs 'wasm-unsafe-eval').
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill'],
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
    ].filter((p) => browser !== 'firefox' || p !== 'offscreen'),
    // Sites the user opts in (and other keyservers) are asked for one by one. MV2 (Firefox) lists optional hosts
    // under optional_permissions; WXT does not move them there itself.
    ...(browser === 'firefox'
      ? { optional_permissions: ['https://*/*', 'http://*/*'] }
      : { optional_host_permissions: ['https://*/*', 'http://*/*'] }),
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
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
