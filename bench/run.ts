/**
 * `npm run bench`: performance figures, each next to a reference measured in the same run (../docs/benchmarks.md
 * says what each measures). Machines here are shared and noisy, so the ratios are what to read, not absolutes.
 * BENCH_SECONDS sets the length of each load run (default 5).
 */
import { execFileSync } from 'node:child_process';
import { benchFileCrypto } from './extension/file-crypto-bench';
import { benchClientUnlock } from './extension/unlock-bench';
import { benchKeyserverLoad } from './keyserver/load-bench';
import { benchKeyserverLookups } from './keyserver/lookup-bench';
import { benchOpaqueLogin } from './keyserver/opaque-login-bench';
import { benchCliFiles } from './node/cli-file-bench';

const TARGET_RATIO = 0.5;

console.log('Keyserver lookups: 64 connections on loopback, SQLite store, vs a bare node:http ceiling');
const rows = await benchKeyserverLookups();
console.table(rows);
const worst = Math.min(...rows.map((r) => Number(r['ratio req/s'])));
const bySize = (n: number) => rows.filter((r) => r.keys === n).map((r) => Number(r['req/s']));
const flatness = Math.min(...bySize(100_000).map((v, i) => v / bySize(10_000)[i]!));
console.log(
  `lowest ratio to the ceiling: ${worst.toFixed(2)} (target >= ${TARGET_RATIO}); ` +
    `100k vs 10k keys: ${flatness.toFixed(2)} of the 10k rate (flat is ~1.0)`,
);
const errors = rows.reduce((n, r) => n + Number(r['errors/non-2xx']), 0);
if (errors > 0) {
  console.error(`${errors} failed or non-2xx responses during the load: see the table`);
  process.exitCode = 1;
}

console.log(
  '\nKeyserver under a mixed load: lookups, uploads and verification confirmations, 100k stored keys, SQLite',
);
const loaded = await benchKeyserverLoad();
console.table(loaded.rows);
if (loaded.unexpected > 0) {
  console.error(
    `${loaded.unexpected} errors or unexpected statuses under load (only 200, 404 and 429 are intended)`,
  );
  process.exitCode = 1;
}

console.log(
  '\nEscrow: the server side of an OPAQUE login (Argon2 runs on the client), SQLite, vs a bare node:http server ' +
    'answering a same-size body, and the OPAQUE library alone',
);
const logins = await benchOpaqueLogin();
console.table(logins);
if (logins.some((r) => Number(r['errors/non-2xx']) > 0)) {
  console.error('failed or non-2xx login starts under load: see the table');
  process.exitCode = 1;
}

console.log(
  '\nFiles in Chromium through the extension (pick on an opted-in page; decrypt page), vs WebCrypto AES-256-GCM ' +
    'in the same browser and GnuPG on the same file',
);
// The extension as users get it: built now unless KEYWARD_SKIP_BUILD is set (as for the e2e tests).
if (!process.env.KEYWARD_SKIP_BUILD)
  execFileSync('npx', ['wxt', 'build', '-b', 'chrome'], { stdio: 'ignore' });
const { rows: files, firstUploadMs, warmUploadMs } = await benchFileCrypto();
console.table(files);
const encryptRatio = Math.min(
  ...files.filter((r) => r.operation === 'encrypt').map((r) => r['ratio to WebCrypto']),
);
const peaks = files.map((r) => r['peak memory +MiB']);
console.log(
  `lowest encryption ratio to WebCrypto GCM: ${encryptRatio.toFixed(2)} (target >= ${TARGET_RATIO}); ` +
    `peak browser memory growth ${Math.min(...peaks)}-${Math.max(...peaks)} MiB across sizes (flat is the target)`,
);
console.log(
  `a 1 MiB upload: ${Math.round(firstUploadMs)} ms right after browser start (starts the offscreen document), ` +
    `${Math.round(warmUploadMs)} ms once warm`,
);

console.log(
  '\nEscrow login on the client in Chromium: OPAQUE client finish (Argon2id) at each profile, vs openpgp.js ' +
    'unlocking a key locked with Argon2id 64 MiB t=3, same page',
);
console.table(await benchClientUnlock());

console.log(
  '\nThe keyward command vs GnuPG 2.2 on the same file: encrypt and decrypt, file to file, one Keyward v4 key ' +
    '(Keyward: SEIPDv2 AES-256-GCM; GnuPG: SEIPDv1, -z 0)',
);
const cli = await benchCliFiles();
console.table(cli.rows);
const cliRatios = cli.rows.map((r) => r['ratio to GnuPG']);
console.log(
  `${cli.mib} MiB: ratio to GnuPG ${Math.min(...cliRatios).toFixed(2)}-${Math.max(...cliRatios).toFixed(2)} ` +
    `(target >= 1.0); Keyward peak RSS ${Math.max(...cli.rows.map((r) => r['Keyward peak RSS MiB']))} MiB`,
);
