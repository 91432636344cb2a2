import { join } from 'node:path';
import { build } from 'esbuild';
import { sitesDir } from './paths';

/** Bundles the npm upload widgets into tests/e2e/sites/.built/ (git-ignored), served at /.built/. */
export async function buildWidgets(): Promise<void> {
  await build({
    entryPoints: {
      'react-dropzone': join(sitesDir, 'widgets', 'react-dropzone.jsx'),
      dropzone: join(sitesDir, 'widgets', 'dropzone.js'),
    },
    outdir: join(sitesDir, '.built'),
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
}
