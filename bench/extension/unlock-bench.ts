/**
 * Client-side cost of an escrow login in Chromium: OPAQUE's client finish (where the Argon2id key stretching runs)
 * at the profile Keyward uses (argon2id-256m) and the fallback (argon2id-64m), next to openpgp.js unlocking a key
 * locked with Keyward's key-protection profile (Argon2id 64 MiB, t=3), all in one page of the same browser, in the
 * same run. The same code (@serenity-kit/opaque, openpgp.js) the extension bundles, bundled here with esbuild.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { generateKey } from '../../shared/openpgp';
import { ESCROW_PROFILES } from '../../shared/escrow';
import { launchExtension } from '../../tests/e2e/harness/launch-extension';
import { repoRoot } from '../../tests/e2e/harness/paths';

const RUNS = Number(process.env.BENCH_UNLOCK_RUNS ?? 3);

const ENTRY = `
import * as opaque from '@serenity-kit/opaque';
import * as openpgp from 'openpgp';
globalThis.bench = {
  async opaqueClientFinish(memory, iterations, runs) {
    await opaque.ready;
    const password = 'bench passphrase for keyward';
    const serverSetup = opaque.server.createSetup();
    const reg = opaque.client.startRegistration({ password });
    const { registrationResponse } = opaque.server.createRegistrationResponse({
      serverSetup, userIdentifier: 'bench@example.org', registrationRequest: reg.registrationRequest });
    const keyStretching = { 'argon2id-custom': { memory, iterations, parallelism: 1 } };
    const { registrationRecord } = opaque.client.finishRegistration({
      clientRegistrationState: reg.clientRegistrationState, registrationResponse, password, keyStretching });
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = opaque.client.startLogin({ password });
      const { loginResponse } = opaque.server.startLogin({ serverSetup, userIdentifier: 'bench@example.org',
        registrationRecord, startLoginRequest: start.startLoginRequest });
      const t = performance.now();
      const done = opaque.client.finishLogin({ clientLoginState: start.clientLoginState, loginResponse, password,
        keyStretching });
      times.push(performance.now() - t);
      if (!done) throw new Error('login failed');
    }
    return times;
  },
  async openpgpUnlock(armoredKey, passphrase, runs) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const privateKey = await openpgp.readPrivateKey({ armoredKey });
      const t = performance.now();
      await openpgp.decryptKey({ privateKey, passphrase });
      times.push(performance.now() - t);
    }
    return times;
  },
};
`;

export interface UnlockRow {
  [column: string]: string | number;
  what: string;
  'median ms': number;
  'ratio to 64 MiB key unlock': number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchClientUnlock(): Promise<UnlockRow[]> {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'error',
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<script type="module" src="/bench.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const passphrase = 'bench passphrase for keyward';
  const key = await generateKey({ name: 'Bench', email: 'bench@example.org', passphrase, date: new Date() });
  const browser = await launchExtension();
  try {
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'bench' in globalThis);
    type Bench = {
      opaqueClientFinish(m: number, t: number, runs: number): Promise<number[]>;
      openpgpUnlock(k: string, p: string, runs: number): Promise<number[]>;
    };
    const reference = median(
      await page.evaluate(
        ([k, p, runs]) => (globalThis as unknown as { bench: Bench }).bench.openpgpUnlock(k, p, runs),
        [key.privateKeyArmored, passphrase, RUNS] as const,
      ),
    );
    const rows: UnlockRow[] = [
      {
        what: 'openpgp.js key unlock, Argon2id 64 MiB t=3 (reference)',
        'median ms': Math.round(reference),
        'ratio to 64 MiB key unlock': 1,
      },
    ];
    for (const [name, p] of Object.entries(ESCROW_PROFILES)) {
      const ms = median(
        await page.evaluate(
          ([m, t, runs]) => (globalThis as unknown as { bench: Bench }).bench.opaqueClientFinish(m, t, runs),
          [p.memory, p.iterations, RUNS] as const,
        ),
      );
      rows.push({
        what: `OPAQUE login, client finish, ${name}${name === 'argon2id-256m' ? ' (Keyward’s profile)' : ''}`,
        'median ms': Math.round(ms),
        'ratio to 64 MiB key unlock': Number((ms / reference).toFixed(2)),
      });
    }
    return rows;
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
