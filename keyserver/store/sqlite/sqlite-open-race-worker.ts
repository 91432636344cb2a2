/**
 * A worker thread for sqlite-database.test.ts: for each path in turn, waits at a shared barrier so every worker
 * opens the same new file at the same moment, then opens (creating and migrating it) and closes it. Posts the
 * error messages it met, one per path that failed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase } from './sqlite-database';

export interface OpenRaceJob {
  paths: string[];
  workers: number;
  barrier: SharedArrayBuffer; // one Int32 counter per path
}

const job = workerData as OpenRaceJob;
const counters = new Int32Array(job.barrier);
const errors: string[] = [];
job.paths.forEach((path, i) => {
  Atomics.add(counters, i, 1);
  while (Atomics.load(counters, i) < job.workers); // spin: a sleep would spread the opens apart
  try {
    openSqliteDatabase(path).close();
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
  }
});
parentPort!.postMessage(errors);
