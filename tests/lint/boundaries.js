// @ts-check
import { builtinModules } from 'node:module';

// The three boundaries of docs/architecture.md, enforced here so a wrong import fails `npm test`.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const serverOnly = ['koa', '@koa/*', 'mongodb', 'better-sqlite3', 'nodemailer', 'pino', 'smtp-server'];
const browserOnly = ['wxt', 'wxt/*', 'webextension-polyfill', '@wxt-dev/*'];

const restrict = (
  /** @type {string[]} */ names,
  /** @type {string[]} */ patterns,
  /** @type {string} */ message,
  /** @type {string[]} */ regexes = [],
) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: [{ group: patterns, message }, ...regexes.map((regex) => ({ regex, message }))],
    },
  ],
});
/** A relative import of the node/ folder or anything in it ('../node', '../../node/cli/x'). */
const nodeFolder = '^(\\.{1,2}/)+node(/|$)';

/** The boundary rules of docs/architecture.md as flat-config entries (tested in boundaries.test.ts). */
export const boundaries = [
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      ...restrict(
        [...nodeBuiltins, ...serverOnly, ...browserOnly],
        ['node:*', '@koa/*', 'wxt/*', '@wxt-dev/*', '**/extension/**', '**/keyserver/**', '**/node/**'],
        'shared/ is platform-neutral: no Node, browser, Koa or MongoDB imports, and no imports from extension/, keyserver/ or node/.',
        [nodeFolder],
      ),
      'no-restricted-globals': [
        'error',
        { name: 'browser', message: 'shared/ must not use the extension API.' },
        { name: 'chrome', message: 'shared/ must not use the extension API.' },
      ],
    },
  },
  {
    files: ['extension/**/*.ts'],
    rules: restrict(
      [...nodeBuiltins, ...serverOnly],
      ['node:*', '@koa/*', '**/keyserver/**', '**/node/**'],
      'extension/ runs in the browser: no Node or server packages, and never imports keyserver/ or node/.',
      [nodeFolder],
    ),
  },
  {
    files: ['keyserver/**/*.ts'],
    rules: restrict(
      browserOnly,
      ['wxt/*', '@wxt-dev/*', '**/extension/**'],
      'keyserver/ runs in Node: no browser packages, and never imports extension/.',
    ),
  },
  {
    files: ['node/**/*.ts'],
    ignores: ['node/**/*.test.ts'],
    rules: restrict(
      browserOnly,
      ['wxt/*', '@wxt-dev/*', '**/extension/**', '**/keyserver/**'],
      'node/ (the Node library and the keyward command) may import shared/ and Node packages, never extension/ or keyserver/.',
    ),
  },
  {
    files: ['examples/**/*.ts'],
    ignores: ['examples/**/*.test.ts'],
    rules: restrict(
      browserOnly,
      ['wxt/*', '@wxt-dev/*', '**/extension/**', '**/keyserver/**', '**/shared/**', '**/node/**'],
      'examples/ use Keyward as any app would: through the package export keyward/node only.',
      // Any relative import that leaves the example's own folder (examples/<name>/).
      ['^(\\.\\./){2,}'],
    ),
  },
];
