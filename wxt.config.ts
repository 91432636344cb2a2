import { defineConfig } from 'wxt';

// One place for the extension's manifest. Why each setting is here: docs/architecture.md and
// ../shared/design/extension.md (structured clone needs Chromium 148+; WASM needs 'wasm-unsafe-eval').
export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill'],
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
    optional_host_permissions: ['https://*/*', 'http://*/*'],
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
