import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { linkIn, startMailCatcher } from '../../keyserver/test-support/mail-catcher';
import { makeTestKey } from '../../keyserver/test-support/test-keys';
import { openSqliteStore } from '../../keyserver/store/sqlite/sqlite-store';
import { seedFiller, seedRealKeys } from './seed-store';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5) * 3;
const STORED_KEYS = Number(process.env.BENCH_LOAD_KEYS ?? 100_000);
const REAL_KEYS = 200;
const FRESH_KEYS = 300;

/** Resident memory of a process, from Linux's /proc. */
function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

export interface LoadRow {
  [column: string]: string | number;
}

/**
 * A mixed load on a real keyserver process with `STORED_KEYS` keys in its SQLite store: 70% lookups (VKS by
 * fingerprint and by address, HKP by address), 20% uploads of keys (new ones, then updates), 10% verification
 * confirmations (each mailed link once, then lookups). Every request comes from its own client /64, under the
 * default rate limits, so 429s would show a limit a real client mix trips. The keyserver's memory is sampled
 * every half second; after warm-up it must not keep growing.
 */
export async function benchKeyserverLoad(): Promise<{ rows: LoadRow[]; unexpected: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-load-'));
  const mail = await startMailCatcher();
  try {
    const store = openSqliteStore(dir);
    const real = await seedRealKeys(store, REAL_KEYS);
    const packets = (await store.keys.getKey(real[0]!.fingerprint))!.packets;
    await seedFiller(store, REAL_KEYS, STORED_KEYS, packets);
    await store.close();
    const fresh = await Promise.all(
      Array.from({ length: FRESH_KEYS }, (_, i) => makeTestKey([{ email: `load-${i}@example.org` }])),
    );
    const ks = await startKeyserverProcess({
      DATA_DIR: dir,
      LOG_LEVEL: 'error',
      TRUST_PROXY: 'true',
      SMTP_URL: mail.url,
      MAIL_ENCRYPT: 'never',
    });
    try {
      // Verification links to confirm under load: half the fresh keys uploaded and asked for verification now.
      const links: string[] = [];
      for (const [i, key] of fresh.slice(0, FRESH_KEYS / 2).entries()) {
        const headers = { 'content-type': 'application/json', 'x-forwarded-for': `2001:db8:ffff:${i}::1` };
        const up = await fetch(`${ks.url}/vks/v1/upload`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ keytext: key.publicArmored }),
        });
        const { token } = (await up.json()) as { token: string };
        await fetch(`${ks.url}/vks/v1/request-verify`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ token, addresses: [`load-${i}@example.org`] }),
        });
        links.push(new URL(linkIn(await mail.next(`load-${i}@example.org`), '/verify/')).pathname);
      }
      const lookups = real.flatMap((k) => [
        `/vks/v1/by-fingerprint/${k.fingerprint}`,
        `/vks/v1/by-email/${encodeURIComponent(k.email)}`,
        `/pks/lookup?op=get&options=mr&search=${encodeURIComponent(k.email)}`,
      ]);

      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssBytes(ks.pid)), 500);
      let n = 0;
      const result = await autocannon({
        url: ks.url,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            setupRequest: (req) => {
              n++;
              const client = `2001:db8:${(n % 60_000).toString(16)}::1`; // one /64 per client
              const headers = { ...req.headers, 'x-forwarded-for': client };
              const slot = n % 10;
              if (slot >= 7 && slot <= 8) {
                const key = fresh[n % FRESH_KEYS]!;
                return {
                  ...req,
                  method: 'POST',
                  path: '/vks/v1/upload',
                  headers: { ...headers, 'content-type': 'application/json' },
                  body: JSON.stringify({ keytext: key.publicArmored }),
                };
              }
              const link = slot === 9 ? links.pop() : undefined;
              if (link) return { ...req, method: 'POST', path: link, headers, body: undefined };
              return { ...req, method: 'GET', path: lookups[n % lookups.length]!, headers, body: undefined };
            },
          },
        ],
      });
      clearInterval(sampler);
      const warm = samples.slice(Math.floor(samples.length / 4));
      const statuses = Object.entries(result.statusCodeStats ?? {})
        .map(([code, s]) => `${code}: ${s.count ?? 0}`)
        .join(', ');
      const unexpected =
        result.errors +
        result.timeouts +
        Object.entries(result.statusCodeStats ?? {})
          .filter(([code]) => !['200', '404', '429'].includes(code))
          .reduce((sum, [, s]) => sum + (s.count ?? 0), 0);
      const MiB = (b: number) => Math.round(b / 1024 / 1024);
      return {
        unexpected,
        rows: [
          {
            'stored keys': STORED_KEYS,
            seconds: SECONDS,
            'req/s': Math.round(result.requests.average),
            'p99 ms': result.latency.p99,
            statuses,
            'errors+timeouts': result.errors + result.timeouts,
            'verified under load': FRESH_KEYS / 2 - links.length,
            'RSS after warm-up MiB': MiB(warm[0] ?? 0),
            'RSS at end MiB': MiB(warm.at(-1) ?? 0),
            'RSS max MiB': MiB(Math.max(...warm)),
          },
        ],
      };
    } finally {
      await ks.stop();
    }
  } finally {
    await mail.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
