import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extensionDir } from './paths';

/**
 * A copy of the built extension whose manifest also holds these host permissions, for tests that need a site
 * other than 127.0.0.1/localhost opted in: Chromium's permission prompt cannot be answered in headless mode. Only
 * the copy changes; the build under test is otherwise byte for byte the same.
 */
export async function extensionWithHostPermissions(
  patterns: readonly string[],
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'keyward-e2e-ext-'));
  await cp(extensionDir, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { host_permissions?: string[] };
  manifest.host_permissions = [...(manifest.host_permissions ?? []), ...patterns];
  await writeFile(manifestPath, JSON.stringify(manifest));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
