import * as opaque from '@serenity-kit/opaque';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOpaqueServerSetup, OPAQUE_SETUP_FILE } from './opaque-server-setup';

const root = mkdtempSync(join(tmpdir(), 'keyward-opaque-setup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, String(++n));

describe('the OPAQUE server setup', () => {
  it('is generated once into DATA_DIR with mode 0600 and read back unchanged', async () => {
    const dir = freshDir();
    const first = await loadOpaqueServerSetup(undefined, dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{171}$/);
    expect(statSync(join(dir, OPAQUE_SETUP_FILE)).mode & 0o777).toBe(0o600);
    expect(await loadOpaqueServerSetup(undefined, dir)).toBe(first);
  });

  it('comes from OPAQUE_SERVER_SETUP when set, and then no file is written', async () => {
    await opaque.ready;
    const setup = opaque.server.createSetup();
    const dir = freshDir();
    expect(await loadOpaqueServerSetup(setup, dir)).toBe(setup);
    expect(() => statSync(join(dir, OPAQUE_SETUP_FILE))).toThrow();
  });

  it('refuses a damaged setup without quoting it', async () => {
    const dir = freshDir();
    const setup = await loadOpaqueServerSetup(undefined, dir);
    const damaged = `${setup.slice(0, 100)}${'A'.repeat(71)}`;
    writeFileSync(join(dir, OPAQUE_SETUP_FILE), damaged);
    const error = await loadOpaqueServerSetup(undefined, dir).then(
      () => new Error('accepted'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain(OPAQUE_SETUP_FILE);
    expect(error.message).not.toContain(damaged.slice(0, 20));
    expect(readFileSync(join(dir, OPAQUE_SETUP_FILE), 'utf8')).toBe(damaged); // never overwritten
  });
});
