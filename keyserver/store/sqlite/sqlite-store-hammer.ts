/**
 * A separate process for sqlite-two-processes.test.ts: opens the store file, says "ready", waits for a line on
 * stdin (so both processes start together), then publishes `rounds` different keys for one address, each followed
 * by a hit on one rate-limit key. Prints what it published and what the store answered as one JSON line.
 *
 *   node --import tsx keyserver/store/sqlite/sqlite-store-hammer.ts '<HammerJob as JSON>'
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Email, Fingerprint } from '../../../shared/identity';
import { openSqliteStore } from './sqlite-store';

export interface HammerJob {
  dataDir: string;
  worker: number;
  rounds: number;
  email: string;
  rateKey: string;
  now: number;
}

export interface HammerResult {
  published: string[];
  replaced: (string | null)[];
  counts: number[];
}

const job = JSON.parse(process.argv[2]!) as HammerJob;
const email = Email.parse(job.email);
const store = openSqliteStore(job.dataDir);
process.stdout.write('ready\n');
await once(process.stdin, 'data');

const result: HammerResult = { published: [], replaced: [], counts: [] };
for (let round = 0; round < job.rounds; round++) {
  const fingerprint = Fingerprint.parse(`${job.worker}`.padStart(8, '0') + `${round}`.padStart(32, '0'));
  const { replaced } = await store.bindings.publish({ email, fingerprint, publishedAt: job.now });
  result.published.push(fingerprint);
  result.replaced.push(replaced);
  result.counts.push((await store.rateLimits.hit(job.rateKey, 1_000_000, 3_600_000, job.now)).count);
  // Let go of the CPU now and then: a loop that never pauses retakes the write lock at once while the other
  // process sleeps in SQLite's busy handler, and the two would run one after the other instead of interleaved.
  if (round % 2 === 1) await sleep(1);
}
await store.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stdin.destroy();
