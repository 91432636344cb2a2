import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import tseslint from 'typescript-eslint';
// @ts-expect-error -- plain JS module shared with eslint.config.js
import { boundaries } from './boundaries.js';

// Runs only the boundary rules (no type information needed) on snippets placed at the paths they would have.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
    ...(boundaries as []),
  ],
});

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architecture boundaries', () => {
  it.each([
    ['shared/ importing node:crypto', "import { createHash } from 'node:crypto';", 'shared/x.ts'],
    ['shared/ importing a bare builtin', "import fs from 'fs';", 'shared/identity/x.ts'],
    ['shared/ importing Koa', "import Koa from 'koa';", 'shared/x.ts'],
    ['shared/ importing MongoDB', "import { MongoClient } from 'mongodb';", 'shared/x.ts'],
    ['shared/ importing the extension API', "import { browser } from 'wxt/browser';", 'shared/x.ts'],
    ['shared/ importing from keyserver/', "import { createApp } from '../keyserver/app';", 'shared/x.ts'],
    ['shared/ using the browser global', 'export const id = browser.runtime.id;', 'shared/x.ts'],
    [
      'extension/ importing keyserver/',
      "import { createApp } from '../../keyserver/app';",
      'extension/vault/x.ts',
    ],
    ['extension/ importing node:fs', "import { readFileSync } from 'node:fs';", 'extension/x.ts'],
    ['extension/ importing MongoDB', "import { MongoClient } from 'mongodb';", 'extension/x.ts'],
    ['keyserver/ importing extension/', "import { x } from '../extension/vault/x';", 'keyserver/x.ts'],
    ['keyserver/ importing wxt', "import { browser } from 'wxt/browser';", 'keyserver/http/x.ts'],
    ['shared/ importing node/', "import { createKeyward } from '../node';", 'shared/x.ts'],
    [
      'extension/ importing node/',
      "import { fileKeyring } from '../../node/file-keyring';",
      'extension/x.ts',
    ],
    ['node/ importing extension/', "import { x } from '../extension/vault/x';", 'node/x.ts'],
    ['node/ importing keyserver/', "import { createApp } from '../../keyserver/app';", 'node/cli/x.ts'],
    ['node/ importing wxt', "import { browser } from 'wxt/browser';", 'node/x.ts'],
    [
      'examples/ importing node/ by path',
      "import { createKeyward } from '../../node';",
      'examples/records/x.ts',
    ],
    [
      'examples/ importing shared/',
      "import { Email } from '../../shared/identity';",
      'examples/records/x.ts',
    ],
    ['examples/ importing keyserver/', "import { x } from '../../keyserver/app';", 'examples/records/x.ts'],
    [
      'extension/ outside platform/ using the browser global',
      'browser.tabs.create({});',
      'extension/ui/x.ts',
    ],
    ['extension/ outside platform/ using chrome', 'chrome.runtime.id;', 'extension/upload/x.ts'],
    [
      'extension/ outside platform/ importing wxt/browser',
      "import { browser } from 'wxt/browser';",
      'extension/vault/x.ts',
    ],
    [
      'a port opened around the channel module',
      "import { connectPort } from '../platform/ports';",
      'extension/intercept/x.ts',
    ],
    [
      'ports accepted around the channel module',
      "import { onPortConnect } from '../platform/ports';",
      'extension/entrypoints/background.ts',
    ],
    [
      'a runtime message sent around the channel module',
      "import { sendRuntimeMessage } from '../../platform/runtime';",
      'extension/ui/options/x.ts',
    ],
    [
      'runtime messages answered around the channel module',
      "import { onRuntimeRequest } from '../platform/runtime';",
      'extension/entrypoints/interceptor.ts',
    ],
    [
      'a tab message sent around the channel module',
      "import { askTab } from '../../platform/tabs';",
      'extension/ui/decrypt/x.ts',
    ],
    [
      'the browser channel used in platform/ outside its wrappers',
      'browser.runtime.sendMessage({});',
      'extension/platform/x.ts',
    ],
    [
      'a port connected in platform/ outside its wrappers',
      "browser.runtime.connect({ name: 'x' });",
      'extension/platform/x.ts',
    ],
    [
      'a tab message in platform/ outside its wrappers',
      'browser.tabs.sendMessage(1, {});',
      'extension/platform/x.ts',
    ],
    [
      'a worker message posted around the channel module',
      "new Worker('/w.js').postMessage({ kind: 'run' });",
      'extension/entrypoints/offscreen/main.ts',
    ],
    [
      'a worker listening around the channel module',
      'self.onmessage = (event) => void event;',
      'extension/entrypoints/encrypt-worker.ts',
    ],
    [
      'a window message listener in a content script',
      "window.addEventListener('message', () => undefined);",
      'extension/intercept/x.ts',
    ],
    ['a page posting window messages', 'window.parent.postMessage({}, "*");', 'extension/ui/notice/x.ts'],
    [
      'a domain module importing the wire for a domain type',
      "import type { VaultKey } from '../messaging/protocol';",
      'extension/vault/x.ts',
    ],
    [
      'a content-script module importing the wire',
      "import { protocol } from '../messaging/protocol';",
      'extension/intercept/x.ts',
    ],
    [
      'the model importing the rest of the extension',
      "import type { Vault } from '../vault/vault';",
      'extension/model/x.ts',
    ],
    ['a page part exported as wire*', 'export function wireTabs(): void {}', 'extension/ui/options/x.ts'],
    ['a page part exported as start*', 'export function startOptionsPage(): void {}', 'extension/ui/x.ts'],
    ['a page part exported as show*', 'export const showRecoveryKit = () => undefined;', 'extension/ui/x.ts'],
    [
      'escrow domain code importing an HTTP status',
      "import { STATUS_FOR_CODE } from '../http/error-mapper';",
      'keyserver/escrow/recovery.ts',
    ],
    ['legacy domain code importing Koa', "import type { Context } from 'koa';", 'keyserver/legacy/x.ts'],
    ['the store importing the router', "import Router from '@koa/router';", 'keyserver/store/sqlite/x.ts'],
  ])('refuses %s', async (_name, code, filePath) => {
    expect((await problems(code, filePath)).join('\n')).toMatch(/no-restricted-(imports|globals|syntax)/);
  });

  it.each([
    ['shared/ importing openpgp', "import * as openpgp from 'openpgp';", 'shared/openpgp/x.ts'],
    ['shared/ importing shared/', "import { Email } from '../identity';", 'shared/openpgp/x.ts'],
    ['shared/ tests importing node:fs', "import { readFileSync } from 'node:fs';", 'shared/x.test.ts'],
    [
      'extension/ importing shared/',
      "import { Email } from '../../shared/identity';",
      'extension/vault/x.ts',
    ],
    [
      'keyserver/ importing Koa and node:',
      "import Koa from 'koa';\nimport fs from 'node:fs';",
      'keyserver/app.ts',
    ],
    [
      'node/ importing shared/ and node:',
      "import { Email } from '../shared/identity';\nimport fs from 'node:fs';",
      'node/cli/x.ts',
    ],
    [
      'examples/ importing the package export, Koa and node:',
      "import { createKeyward } from 'keyward/node';\nimport Koa from 'koa';\nimport fs from 'node:fs';",
      'examples/records/x.ts',
    ],
    [
      'examples/ tests importing shared/',
      "import { decryptFile } from '../../shared/openpgp';",
      'examples/x.test.ts',
    ],
    ['platform/ using the browser', "import { browser } from 'wxt/browser';", 'extension/platform/x.ts'],
    [
      'the channel module using the platform messaging',
      "import { connectPort } from '../platform/ports';",
      'extension/messaging/runtime-channels.ts',
    ],
    [
      'platform/ wrapping runtime messages',
      'browser.runtime.sendMessage({});',
      'extension/platform/runtime.ts',
    ],
    [
      'extension/ using the platform otherwise',
      "import { extensionIdentity } from '../platform/runtime';",
      'extension/upload/x.ts',
    ],
    [
      'extension/ opening a channel',
      "import { openChannel } from '../messaging/channel';",
      'extension/ui/x.ts',
    ],
    [
      'the channel module wrapping a worker',
      'export const post = (w: Worker) => w.postMessage({});',
      'extension/messaging/channel.ts',
    ],
    [
      'pages importing the wire',
      "import { sendMessage } from '../../messaging/send-message';\nimport { MAX_IMPORT_BYTES } from '../../messaging/protocol';",
      'extension/ui/options/x.ts',
    ],
    [
      'the background importing the wire',
      "import type { MessageType } from '../messaging/protocol';",
      'extension/background/x.ts',
    ],
    [
      'a domain module importing the model',
      "import type { VaultKey } from '../model';",
      'extension/vault/x.ts',
    ],
    [
      'the model importing shared/ and itself',
      "import type { Email } from '../../shared/identity';\nimport type { VaultKey } from './vault-key';",
      'extension/model/x.ts',
    ],
    ['a page part exported as mount*', 'export function mountTabs(): void {}', 'extension/ui/options/x.ts'],
    ['a page-local show* helper', 'function showStatus(): void {}\nshowStatus();', 'extension/ui/x.ts'],
    [
      'routes using Koa and the HTTP helpers',
      "import Router from '@koa/router';\nimport { readJson } from '../http/read-body';",
      'keyserver/escrow/escrow-routes.ts',
    ],
    [
      'the error mapper knowing statuses',
      "import type { Context } from 'koa';",
      'keyserver/http/error-mapper.ts',
    ],
  ])('allows %s', async (_name, code, filePath) => {
    expect(await problems(code, filePath)).toEqual([]);
  });
});
