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
) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: [{ group: patterns, message }],
    },
  ],
});

/** The boundary rules of docs/architecture.md as flat-config entries (tested in boundaries.test.ts). */
export const boundaries = [
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      ...restrict(
        [...nodeBuiltins, ...serverOnly, ...browserOnly],
        ['node:*', '@koa/*', 'wxt/*', '@wxt-dev/*', '**/extension/**', '**/keyserver/**'],
        'shared/ is platform-neutral: no Node, browser, Koa or MongoDB imports, and no imports from extension/ or keyserver/.',
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
      ['node:*', '@koa/*', '**/keyserver/**'],
      'extension/ runs in the browser: no Node or server packages, and never imports keyserver/.',
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
];
