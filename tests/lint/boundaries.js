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
  /** @type {object[]} */ more = [],
) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: [{ group: patterns, message }, ...regexes.map((regex) => ({ regex, message })), ...more],
    },
  ],
});
/** A relative import of the node/ folder or anything in it ('../node', '../../node/cli/x'). */
const nodeFolder = '^(\\.{1,2}/)+node(/|$)';

const ONLY_PLATFORM =
  'Only extension/platform/ calls the browser (browser.*, chrome.*, wxt/browser): use its functions.';
const ONLY_CHANNEL =
  'Contexts talk only through extension/messaging/runtime-channels.ts (openChannel, route, ask, answer), so every message has a schema.';

/** No browser API outside platform/. */
const onlyPlatform = { group: ['wxt/browser'], message: ONLY_PLATFORM };
/** The platform's raw messaging, which only the channel module wraps. */
const onlyChannel = [
  { group: ['**/platform/ports'], importNames: ['connectPort', 'onPortConnect'], message: ONLY_CHANNEL },
  {
    group: ['**/platform/runtime'],
    importNames: ['sendRuntimeMessage', 'onRuntimeRequest'],
    message: ONLY_CHANNEL,
  },
  { group: ['**/platform/tabs'], importNames: ['askTab'], message: ONLY_CHANNEL },
  { group: ['**/platform/navigation'], importNames: ['askFrame'], message: ONLY_CHANNEL },
];

const ONLY_CHANNEL_FOR_WORKERS =
  'Workers and documents talk only through extension/messaging/channel.ts (openWorker, acceptInWorker), so every message has a schema.';
const WIRE_IS_FOR_PAGES =
  "messaging/protocol.ts is the pages' wire: domain types live in extension/model/, limits with the code that keeps them.";
const MODEL_IS_PLAIN =
  'extension/model/ holds plain domain types: it may import shared/ only, never the rest of extension/.';
const UI_PREFIX =
  'A function that mounts a part of an extension page is named mount* (docs/architecture.md, "Conventions"), not wire*, start* or show*.';
const NO_HTTP_IN_DOMAIN =
  'Domain code never speaks HTTP: no Koa, no keyserver/http/ (statuses are the error mapper’s); only *-routes.ts adapt it to HTTP.';

/** The modules of the extension that are neither pages (ui/, entrypoints/) nor the wire and its wiring. */
const extensionDomain = [
  'extension/contacts/**/*.ts',
  'extension/directory/**/*.ts',
  'extension/downloads/**/*.ts',
  'extension/intercept/**/*.ts',
  'extension/publishing/**/*.ts',
  'extension/recovery/**/*.ts',
  'extension/settings/**/*.ts',
  'extension/sites/**/*.ts',
  'extension/upload/**/*.ts',
  'extension/vault/**/*.ts',
];
/** Domain modules reach the runtime protocol's types through extension/model/, never the wire module. */
const notTheWire = { group: ['**/messaging/protocol'], message: WIRE_IS_FOR_PAGES };

/** Raw worker and window messaging, which only messaging/channel.ts wraps (platform/ wraps the browser's ports). */
const workerMessaging = [
  {
    selector: 'MemberExpression[property.name=/^(postMessage|onmessage)$/]',
    message: ONLY_CHANNEL_FOR_WORKERS,
  },
  {
    selector: "CallExpression[callee.property.name='addEventListener'][arguments.0.value='message']",
    message: ONLY_CHANNEL_FOR_WORKERS,
  },
];
/** Exported functions of extension/ui/ named with the retired prefixes. */
const uiPrefixes = [
  {
    selector: 'ExportNamedDeclaration > FunctionDeclaration[id.name=/^(wire|start|show)[A-Z]/]',
    message: UI_PREFIX,
  },
  {
    selector:
      'ExportNamedDeclaration > VariableDeclaration > VariableDeclarator[id.name=/^(wire|start|show)[A-Z]/]',
    message: UI_PREFIX,
  },
];

/** extension/'s import rules, with `more` on top of the boundary. */
const extensionImports = (/** @type {object[]} */ more) =>
  restrict(
    [...nodeBuiltins, ...serverOnly],
    ['node:*', '@koa/*', '**/keyserver/**', '**/node/**'],
    'extension/ runs in the browser: no Node or server packages, and never imports keyserver/ or node/.',
    [nodeFolder],
    more,
  );

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
  // extension/ in four parts: everything reaches the browser through platform/, and the contexts talk to each
  // other only through channels (messaging/runtime-channels.ts, with schemas on every channel); tests may use both directly.
  {
    files: ['extension/**/*.ts'],
    ignores: ['extension/platform/**', 'extension/messaging/runtime-channels.ts', 'extension/**/*.test.ts'],
    rules: {
      ...extensionImports([onlyPlatform, ...onlyChannel]),
      'no-restricted-globals': [
        'error',
        { name: 'browser', message: ONLY_PLATFORM },
        { name: 'chrome', message: ONLY_PLATFORM },
      ],
    },
  },
  {
    files: extensionDomain,
    ignores: ['extension/**/*.test.ts'],
    rules: extensionImports([onlyPlatform, ...onlyChannel, notTheWire]),
  },
  {
    files: ['extension/model/**/*.ts'],
    ignores: ['extension/**/*.test.ts'],
    // Any relative import that leaves extension/model/ but stays in extension/ ('../vault', not '../../shared').
    rules: extensionImports([
      onlyPlatform,
      ...onlyChannel,
      { regex: '^\\.\\./(?!\\.\\./)', message: MODEL_IS_PLAIN },
    ]),
  },
  {
    // Messages between workers and documents cross only through the channel module.
    files: ['extension/**/*.ts'],
    ignores: ['extension/platform/**', 'extension/messaging/channel.ts', 'extension/**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...workerMessaging] },
  },
  {
    files: ['extension/ui/**/*.ts'],
    ignores: ['extension/**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...workerMessaging, ...uiPrefixes] },
  },
  {
    files: ['extension/messaging/runtime-channels.ts'],
    rules: {
      ...extensionImports([onlyPlatform]),
      'no-restricted-globals': [
        'error',
        { name: 'browser', message: ONLY_PLATFORM },
        { name: 'chrome', message: ONLY_PLATFORM },
      ],
    },
  },
  {
    files: ['extension/platform/**/*.ts', 'extension/**/*.test.ts'],
    rules: extensionImports([]),
  },
  {
    // Inside platform/, the browser's messaging is wrapped once, in the files messaging/runtime-channels.ts uses.
    files: ['extension/platform/**/*.ts'],
    ignores: [
      'extension/platform/ports.ts',
      'extension/platform/runtime.ts',
      'extension/platform/tabs.ts',
      'extension/platform/navigation.ts',
      'extension/platform/**/*.test.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[object.property.name='runtime'][property.name=/^(connect|onConnect|sendMessage|onMessage)$/]",
          message: ONLY_CHANNEL,
        },
        {
          selector: "MemberExpression[object.property.name='tabs'][property.name='sendMessage']",
          message: ONLY_CHANNEL,
        },
      ],
    },
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
    // The keyserver's domain (directory, escrow, digital legacy, keys, store, limits, mail, secrets): HTTP is the
    // routes' business and the error mapper's (keyserver/http/error-mapper.ts, the one place that knows statuses).
    files: [
      'keyserver/admin/**/*.ts',
      'keyserver/directory/**/*.ts',
      'keyserver/escrow/**/*.ts',
      'keyserver/keys/**/*.ts',
      'keyserver/legacy/**/*.ts',
      'keyserver/limits/**/*.ts',
      'keyserver/mail/**/*.ts',
      'keyserver/secrets/**/*.ts',
      'keyserver/store/**/*.ts',
    ],
    ignores: ['keyserver/**/*-routes.ts', 'keyserver/directory/send-key.ts', 'keyserver/**/*.test.ts'],
    rules: restrict(
      browserOnly,
      ['wxt/*', '@wxt-dev/*', '**/extension/**'],
      'keyserver/ runs in Node: no browser packages, and never imports extension/.',
      [],
      [{ group: ['koa', '@koa/*', '**/http/*'], message: NO_HTTP_IN_DOMAIN }],
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
