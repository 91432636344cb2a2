// @ts-check
// `keyward/node` for apps that run plain JavaScript. An installed copy loads the bundle `npm pack` built
// (dist/index.js); a git checkout loads the TypeScript (node/index.ts) through tsx, in its own namespace so the
// app's own modules load as before. TypeScript tools read index.ts directly (the "types" condition in
// package.json). index.test.ts checks this list against index.ts.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/index.js', import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- dynamic imports are untyped; index.test.ts checks it
const keyward = /** @type {typeof import('./index.ts')} */ (
  existsSync(bundle) && !existsSync(new URL('../.git', import.meta.url))
    ? await import(bundle.href)
    : await (await import('tsx/esm/api')).tsImport('./index.ts', import.meta.url)
);

export const {
  createKeyward,
  memoryKeyring,
  fileKeyring,
  decrypt,
  inspect,
  readPrivateKey,
  readGroupFile,
  publishKey,
  parseGroupFile,
  formatGroupFile,
  LOOKUP_SOURCES,
  generateKey,
  KeywardError,
  isKeywardError,
} = keyward;
