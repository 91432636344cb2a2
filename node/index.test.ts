import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as library from './index';

// An app imports `keyward/node` by the package name; Node resolves it through package.json "exports" to the
// JavaScript shim (node/index.js), which loads the TypeScript through tsx. This runs a plain Node script (no tsx
// of its own) that does exactly that.
describe('the package export keyward/node', () => {
  it('loads in plain Node and offers every runtime export of node/index.ts', () => {
    const script =
      "const m = await import('keyward/node');" +
      'const k = m.createKeyward({ keyring: m.memoryKeyring(), sources: [] });' +
      'console.log(JSON.stringify({ names: Object.keys(m).sort(), encrypt: typeof k.encrypt }));';
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const { names, encrypt } = JSON.parse(run.stdout) as { names: string[]; encrypt: string };
    expect(names).toEqual(Object.keys(library).sort());
    expect(encrypt).toBe('function');
  });
});
