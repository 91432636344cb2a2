#!/usr/bin/env node
// The `keyward` command. An installed copy runs the bundle `npm pack` built (dist/, scripts/build-node.ts); a git
// checkout runs the TypeScript through tsx, in a namespace of its own so nothing else in the process changes.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/keyward.js', import.meta.url);
if (existsSync(bundle) && !existsSync(new URL('../.git', import.meta.url))) {
  await import(bundle.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('../node/cli/keyward.ts', import.meta.url);
}
