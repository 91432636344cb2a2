import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from './open-store';

const dir = mkdtempSync(join(tmpdir(), 'keyward-open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('opens the embedded SQLite file in DATA_DIR when MONGODB_URI is not set', async () => {
  const store = await openStore({ DATA_DIR: dir, MONGODB_DB: 'keyward' });
  await store.ping();
  await store.close();
  expect(existsSync(join(dir, 'keyward.sqlite'))).toBe(true);
});
