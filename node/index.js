// @ts-check
// `keyward/node` for apps that run plain JavaScript: the package ships TypeScript (node/index.ts) and loads it
// through tsx, in its own namespace so the app's own modules load as before. TypeScript tools read index.ts
// directly (the "types" condition in package.json). index.test.ts checks this list against index.ts.
import { tsImport } from 'tsx/esm/api';

// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- tsImport's result is untyped; index.test.ts checks it
const keyward = /** @type {typeof import('./index.ts')} */ (await tsImport('./index.ts', import.meta.url));

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
