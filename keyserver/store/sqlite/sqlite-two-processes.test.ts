import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../../shared/identity';
import type { HammerJob, HammerResult } from './sqlite-store-hammer';
import { openSqliteStore } from './sqlite-store';

const HAMMER = fileURLToPath(new URL('./sqlite-store-hammer.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url)); // where `--import tsx` resolves
const ROUNDS = 300;
const root = mkdtempSync(join(tmpdir(), 'keyward-sqlite-2proc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts a hammer process; resolves with it once it has opened the store. */
async function startHammer(job: HammerJob) {
  const child = spawn(process.execPath, ['--import', 'tsx', HAMMER, JSON.stringify(job)], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit') as Promise<[number | null]>; // listen now: it may come right after the output
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`hammer ${job.worker} did not start: ${String(first.value)}`);
  return { child, lines, exited };
}

it('two processes sharing one SQLite file keep one binding per address and count every hit', async () => {
  // A new file: both processes also race to create the schema.
  const base = { dataDir: join(root, 'shared'), rounds: ROUNDS, now: Date.UTC(2100, 0, 1) };
  const job = { ...base, email: 'contested@example.org', rateKey: 'lookup:contested' };
  const hammers = await Promise.all([1, 2].map((worker) => startHammer({ ...job, worker })));
  for (const h of hammers) h.child.stdin.write('go\n');
  const results = await Promise.all(
    hammers.map(async ({ lines, exited }) => {
      const line = await lines.next();
      const [code] = await exited;
      expect(code).toBe(0);
      return JSON.parse(line.value as string) as HammerResult;
    }),
  );

  const store = openSqliteStore(job.dataDir);
  try {
    const final = await store.bindings.byEmail(Email.parse(job.email));
    expect(final).not.toBeNull();
    const published = results.flatMap((r) => r.published);
    const replaced = results.flatMap((r) => r.replaced);
    // Had either process read the old binding outside the write lock, two publishes would have seen the same
    // predecessor (or both none): then a fingerprint would be "replaced" twice, or null would appear twice.
    expect(replaced.filter((r) => r === null)).toHaveLength(1);
    const replacedKeys = new Set(replaced.filter((r) => r !== null));
    expect(replacedKeys.size).toBe(2 * ROUNDS - 1);
    expect(new Set([...replacedKeys, final!.fingerprint])).toEqual(new Set(published));
    const stillBound = await Promise.all(
      published.map((f) => store.bindings.byFingerprint(Fingerprint.parse(f))),
    );
    expect(stillBound.flat()).toEqual([final]);

    // Every hit got its own count: no increment was lost or seen twice.
    const counts = results.flatMap((r) => r.counts).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 2 * ROUNDS }, (_, i) => i + 1));
    expect((await store.rateLimits.hit(job.rateKey, 1_000_000, 3_600_000, job.now)).count).toBe(
      2 * ROUNDS + 1,
    );
  } finally {
    await store.close();
  }
});
