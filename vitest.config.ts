import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing';

// Three projects: node (shared + keyserver + the Node library and command + examples + interop), extension (WXT's
// fake browser), e2e (built extension in Debian's Chromium). `npm test` runs all three; e2e builds the extension
// once in its global setup.
export default defineConfig({
  test: {
    projects: [
      {
        // The examples import the library as a real app does (the package export); in tests that is its source.
        resolve: { alias: { 'keyward/node': fileURLToPath(new URL('./node/index.ts', import.meta.url)) } },
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'shared/**/*.test.ts',
            'keyserver/**/*.test.ts',
            'node/**/*.test.ts',
            'examples/**/*.test.ts',
            'tests/interop/**/*.test.ts',
            'tests/lint/**/*.test.ts',
            'tests/integration/**/*.test.ts',
          ],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [WxtVitest()],
        test: {
          name: 'extension',
          include: ['extension/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
