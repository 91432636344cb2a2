import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { afterAll, expect, it } from 'vitest';
import { CODE_PURPOSES } from '../../../shared/escrow/escrow-api';
import { openSqliteDatabase } from './sqlite-database';
import type { OpenRaceJob } from './sqlite-open-race-worker';

const WORKER = new URL('./sqlite-open-race-worker.ts', import.meta.url).href;
const root = mkdtempSync(join(tmpdir(), 'keyward-sqlite-open-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('several processes (threads here) starting at once on a new file all open it (none fails with "database is locked")', async () => {
  // Switching a new file to WAL needs an exclusive lock; a connection that already reads the file when another
  // holds the write lock gets SQLITE_BUSY at once, without its busy timeout (SQLite's deadlock rule).
  const workers = 4;
  const paths = Array.from({ length: 25 }, (_, i) => join(root, `race-${i}`, 'keyward.sqlite'));
  const job: OpenRaceJob = { paths, workers, barrier: new SharedArrayBuffer(4 * paths.length) };
  const running = Array.from(
    { length: workers },
    () =>
      // Worker threads share memory for a tight barrier; tsx is registered in each so it can load TypeScript.
      new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER)}); })`,
        { eval: true, workerData: job },
      ),
  );
  const errors = (
    await Promise.all(running.map(async (w) => (await once(w, 'message'))[0] as string[]))
  ).flat();
  expect(errors).toEqual([]);
  for (const path of paths) {
    const db = openSqliteDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    db.close();
  }
}, 60_000);

it("the database's CHECK on escrow code purposes is the escrow API's list (a migration's text never changes)", () => {
  const db = openSqliteDatabase(join(root, 'purposes', 'keyward.sqlite'));
  const table = db
    .prepare("SELECT sql FROM sqlite_master WHERE name = 'escrow_codes'")
    .pluck()
    .get() as string;
  db.close();
  const listed = /purpose TEXT NOT NULL CHECK \(purpose IN \(([^)]*)\)\)/.exec(table)?.[1];
  expect(listed?.split(',').map((p) => p.trim().replace(/'/g, ''))).toEqual([...CODE_PURPOSES]);
});
