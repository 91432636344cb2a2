/**
 * Bundles the keyward command and the keyward/node library into plain JavaScript (esbuild, dependencies left as
 * imports), so an installed copy starts without compiling TypeScript: `npm pack` runs it (prepack) into dist/,
 * and the benchmark into a folder of its own. bin/keyward.js and node/index.js load dist/ when it is there and the
 * package is not a git checkout (where dist/ could be older than the sources), else the TypeScript through tsx.
 * Usage: node --import tsx scripts/build-node.ts [OUTDIR]
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');

export async function buildNode(outdir: string): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: { keyward: 'node/cli/keyward.ts', index: 'node/index.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildNode(resolve(process.argv[2] ?? resolve(root, 'dist')));
}
