import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { openSqliteStore } from '../../keyserver/store/sqlite/sqlite-store';
import { seedFiller, seedRealKeys } from './seed-store';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const REAL_KEYS = 200;
/**
 * Distinct client addresses per load run: at ~30k req/s for 5 s that is ~30 lookups each, under the default 60 a
 * minute. Each run has its own clients: runs follow each other within a minute, and the same clients would go over
 * their limit across runs.
 */
const CLIENTS = 5000;
let runs = 0;

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** autocannon on loopback, bounded in time, cycling through the given paths. */
async function load(origin: string, paths: string[]): Promise<LoadResult> {
  const run = (++runs).toString(16);
  let i = 0;
  const result = await autocannon({
    url: origin,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req) => {
          i++;
          // Many clients, each under its own default rate limit (as behind a reverse proxy). Limits apply per
          // IPv6 /64 (keyserver/http/client-address.ts), so each client gets its own /64.
          // (IPv6 documentation prefix: only a header value, never an address anything is sent to.)
          const client = `2001:db8:${run}:${(i % CLIENTS).toString(16)}::1`;
          return {
            ...req,
            path: paths[i % paths.length]!,
            headers: { ...req.headers, 'x-forwarded-for': client },
          };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function startCeiling(bodies: Record<string, string>, dir: string) {
  const file = join(dir, 'ceiling-bodies.json');
  writeFileSync(file, JSON.stringify(bodies));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, 'ceiling-server.ts'), file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((ok) =>
    child.stdout.on('data', (c: Buffer) => {
      const m = /listening on (\S+)/.exec(c.toString());
      if (m) ok(m[1]!);
    }),
  );
  return { url, stop: () => new Promise<void>((ok) => child.once('exit', () => ok()).kill('SIGTERM')) };
}

/**
 * Lookups by fingerprint (VKS) and by address (VKS, HKP) against a real keyserver process on SQLite with 10k and
 * then 100k stored keys, each next to a bare node:http server answering the same bytes (the ceiling).
 */
export async function benchKeyserverLookups(sizes = [10_000, 100_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-'));
  const rows: Record<string, string | number>[] = [];
  try {
    const store = openSqliteStore(dir);
    const real = await seedRealKeys(store, REAL_KEYS);
    const filler = (await store.keys.getKey(real[0]!.fingerprint))!.packets;
    let seeded = REAL_KEYS;
    const paths = {
      'VKS by-fingerprint': real.map((k) => `/vks/v1/by-fingerprint/${k.fingerprint}`),
      'VKS by-email': real.map((k) => `/vks/v1/by-email/${encodeURIComponent(k.email)}`),
      'HKP get by address': real.map(
        (k) => `/pks/lookup?op=get&options=mr&search=${encodeURIComponent(k.email)}`,
      ),
    };
    for (const size of sizes) {
      const t0 = performance.now();
      await seedFiller(store, seeded, size, filler);
      seeded = size;
      console.log(`  seeded ${size} keys (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const ks = await startKeyserverProcess({
        DATA_DIR: dir,
        LOG_LEVEL: 'error',
        TRUST_PROXY: 'true',
      });
      try {
        for (const [name, list] of Object.entries(paths)) {
          const bodies: Record<string, string> = {};
          for (const p of list)
            bodies[p] = Buffer.from(await (await fetch(`${ks.url}${p}`)).arrayBuffer()).toString('base64');
          const ceiling = await startCeiling(bodies, dir);
          const reference = await load(ceiling.url, list);
          await ceiling.stop();
          const measured = await load(ks.url, list);
          rows.push({
            lookup: name,
            keys: size,
            'req/s': Math.round(measured.requestsPerSecond),
            'ceiling req/s': Math.round(reference.requestsPerSecond),
            'ratio req/s': +(measured.requestsPerSecond / reference.requestsPerSecond).toFixed(2),
            'p99 ms': measured.p99Ms,
            'ceiling p99 ms': reference.p99Ms,
            'errors/non-2xx': measured.errors + measured.non2xx,
          });
        }
      } finally {
        await ks.stop();
      }
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
