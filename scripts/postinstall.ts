import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * npm's postinstall: `wxt prepare` writes the extension's generated types (.wxt/), which the TypeScript config and
 * the extension's tests need. WXT is a dev dependency, so a keyserver-only production install
 * (`npm ci --omit=dev`, docs/deploy.md) has no `wxt`: there is nothing to prepare then, and the install must not
 * fail for it.
 */
const root = join(import.meta.dirname, '..');
const wxt = join(root, 'node_modules', '.bin', 'wxt');

if (!existsSync(wxt)) {
  console.log(
    'postinstall: WXT is not installed (a production install without dev dependencies); nothing to prepare.',
  );
  process.exit(0);
}
const result = spawnSync(wxt, ['prepare'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
