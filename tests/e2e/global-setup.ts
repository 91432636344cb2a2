import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildWidgets } from './harness/build-widgets';
import { chromiumPath, extensionDir, repoRoot } from './harness/paths';

// Runs once per `vitest run` that includes the e2e project, before any e2e test file.
export default async function setup(): Promise<void> {
  await requireChromium();
  // The sample sites' npm upload widgets (react-dropzone, Dropzone), bundled with esbuild in about a second.
  await buildWidgets();
  if (process.env.KEYWARD_SKIP_BUILD === '1') {
    await requireBuild('KEYWARD_SKIP_BUILD=1 is set but there is no build');
    return;
  }
  await buildExtension();
  await requireBuild('`wxt build -b chrome` finished but left no build');
}

async function requireChromium(): Promise<void> {
  const path = chromiumPath();
  try {
    await access(path, constants.X_OK);
  } catch {
    // Never skip: an e2e suite that silently does not run is a suite that cannot fail.
    throw new Error(
      `e2e tests need Debian's Chromium at ${path} (set CHROMIUM_PATH to use another). ` +
        'Install it with: apt-get install -y chromium',
    );
  }
}

async function buildExtension(): Promise<void> {
  const started = Date.now();
  try {
    await promisify(execFile)(join(repoRoot, 'node_modules', '.bin', 'wxt'), ['build', '-b', 'chrome'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the extension failed (wxt build -b chrome):\n${stdout}\n${stderr}`, {
      cause: error,
    });
  }
  console.log(`e2e: built the extension in ${Date.now() - started} ms`);
}

async function requireBuild(problem: string): Promise<void> {
  try {
    await access(join(extensionDir, 'manifest.json'));
  } catch {
    throw new Error(`${problem} at ${extensionDir}; run \`npx wxt build -b chrome\`.`);
  }
}
