import * as opaque from '@serenity-kit/opaque';
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Email, Fingerprint } from '../../shared/identity';
import { openSqliteStore } from '../../keyserver/store/sqlite/sqlite-store';
import { startKeyserverProcess } from '../../keyserver/test-support/keyserver-process';
import { startCeiling } from './lookup-bench';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 64;
const LOAD_ACCOUNTS = 20_000; // each under its 10 login starts per 15 minutes during the load run
const TIMED_LOGINS = 60;
const STRETCHING = { 'argon2id-custom': { iterations: 1, memory: 1024, parallelism: 1 } } as const;
const PASSWORD = 'bench passphrase';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function post(url: string, body: unknown): Promise<{ ms: number; json: Record<string, unknown> }> {
  const t0 = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const ms = performance.now() - t0;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return { ms, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function registrationRecord(setup: string, address: string): string {
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({
    password: PASSWORD,
  });
  const { registrationResponse } = opaque.server.createRegistrationResponse({
    serverSetup: setup,
    userIdentifier: address,
    registrationRequest,
  });
  return opaque.client.finishRegistration({
    clientRegistrationState,
    registrationResponse,
    password: PASSWORD,
    keyStretching: STRETCHING,
  }).registrationRecord;
}

/**
 * The server side of an OPAQUE login (the Argon2 stretching runs on the client, cheap here): login starts per second
 * under load, and the time of each step of a whole login, next to a bare node:http server answering a body of the
 * same size (the ceiling) in the same run, and the OPAQUE library's own cost without HTTP or store.
 */
export async function benchOpaqueLogin() {
  await opaque.ready;
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-opaque-'));
  const setup = opaque.server.createSetup();
  try {
    const store = openSqliteStore(dir);
    const account = (address: string, record: string) => ({
      address: Email.parse(address),
      registrationRecord: record,
      profile: 'argon2id-256m',
      fingerprint: Fingerprint.parse('AB'.repeat(32)),
      escrow: '-----BEGIN PGP MESSAGE-----\n\nbench\n-----END PGP MESSAGE-----\n',
      recoveryVerifierHash: '0'.repeat(64),
      createdAt: 0,
      updatedAt: 0,
    });
    // Login starts cost the same for any record, so the load accounts share one; timed logins get their own.
    const shared = registrationRecord(setup, 'load@example.org');
    for (let i = 0; i < LOAD_ACCOUNTS; i++)
      await store.escrow.accounts.create(account(`load${i}@example.org`, shared), `d${i}`);
    for (let i = 0; i < TIMED_LOGINS; i++) {
      const address = `timed${i}@example.org`;
      await store.escrow.accounts.create(account(address, registrationRecord(setup, address)), `t${i}`);
    }
    await store.close();

    const ks = await startKeyserverProcess({
      DATA_DIR: dir,
      LOG_LEVEL: 'error',
      OPAQUE_SERVER_SETUP: setup,
      RATE_ESCROW_REQUESTS_PER_IP_MINUTE: '100000000',
    });
    const rows: Record<string, string | number>[] = [];
    try {
      const { startLoginRequest } = opaque.client.startLogin({ password: PASSWORD });
      const startUrl = `${ks.url}/escrow/v1/login/start`;
      const sample = await post(startUrl, { address: 'load0@example.org', startLoginRequest });
      const ceiling = await startCeiling(
        { '/escrow/v1/login/start': Buffer.from(JSON.stringify(sample.json)).toString('base64') },
        dir,
      );
      const loadStarts = async (origin: string) => {
        let i = 0;
        const result = await autocannon({
          url: origin,
          connections: CONNECTIONS,
          duration: SECONDS,
          requests: [
            {
              method: 'POST',
              path: '/escrow/v1/login/start',
              headers: { 'content-type': 'application/json' },
              setupRequest: (req) => ({
                ...req,
                body: JSON.stringify({
                  address: `load${++i % LOAD_ACCOUNTS}@example.org`,
                  startLoginRequest,
                }),
              }),
            },
          ],
        });
        return { rps: result.requests.average, p99: result.latency.p99, bad: result.non2xx + result.errors };
      };
      const reference = await loadStarts(ceiling.url);
      const measured = await loadStarts(ks.url);
      const ceilingMs: number[] = [];
      for (let i = 0; i < TIMED_LOGINS; i++)
        ceilingMs.push((await post(`${ceiling.url}/escrow/v1/login/start`, {})).ms);
      await ceiling.stop();

      const startMs: number[] = [];
      const finishMs: number[] = [];
      for (let i = 0; i < TIMED_LOGINS; i++) {
        const client = opaque.client.startLogin({ password: PASSWORD });
        const start = await post(startUrl, {
          address: `timed${i}@example.org`,
          startLoginRequest: client.startLoginRequest,
        });
        const finished = opaque.client.finishLogin({
          clientLoginState: client.clientLoginState,
          loginResponse: String(start.json.loginResponse),
          password: PASSWORD,
          keyStretching: STRETCHING,
        });
        if (!finished) throw new Error('the benchmark login failed');
        const finish = await post(`${ks.url}/escrow/v1/login/finish`, {
          loginId: start.json.loginId,
          finishLoginRequest: finished.finishLoginRequest,
        });
        startMs.push(start.ms);
        finishMs.push(finish.ms);
      }

      // The library alone, in this process: the floor under the HTTP figures.
      const record = registrationRecord(setup, 'lib@example.org');
      const libStart: number[] = [];
      const libFinish: number[] = [];
      for (let i = 0; i < TIMED_LOGINS; i++) {
        const client = opaque.client.startLogin({ password: PASSWORD });
        let t0 = performance.now();
        const server = opaque.server.startLogin({
          serverSetup: setup,
          userIdentifier: 'lib@example.org',
          registrationRecord: record,
          startLoginRequest: client.startLoginRequest,
        });
        libStart.push(performance.now() - t0);
        const finished = opaque.client.finishLogin({
          clientLoginState: client.clientLoginState,
          loginResponse: server.loginResponse,
          password: PASSWORD,
          keyStretching: STRETCHING,
        })!;
        t0 = performance.now();
        opaque.server.finishLogin({
          serverLoginState: server.serverLoginState,
          finishLoginRequest: finished.finishLoginRequest,
        });
        libFinish.push(performance.now() - t0);
      }

      const ceilingMedian = median(ceilingMs);
      rows.push(
        {
          measure: `login/start req/s (${CONNECTIONS} connections)`,
          keyserver: Math.round(measured.rps),
          'node:http ceiling': Math.round(reference.rps),
          ratio: +(measured.rps / reference.rps).toFixed(2),
          'errors/non-2xx': measured.bad,
        },
        {
          measure: 'login/start ms (one at a time, median)',
          keyserver: +median(startMs).toFixed(2),
          'node:http ceiling': +ceilingMedian.toFixed(2),
          ratio: +(median(startMs) / ceilingMedian).toFixed(2),
          'errors/non-2xx': 0,
        },
        {
          measure: 'login/finish ms (one at a time, median)',
          keyserver: +median(finishMs).toFixed(2),
          'node:http ceiling': +ceilingMedian.toFixed(2),
          ratio: +(median(finishMs) / ceilingMedian).toFixed(2),
          'errors/non-2xx': 0,
        },
        {
          measure: 'OPAQUE library only: start / finish ms (median)',
          keyserver: `${median(libStart).toFixed(2)} / ${median(libFinish).toFixed(2)}`,
          'node:http ceiling': '-',
          ratio: '-',
          'errors/non-2xx': 0,
        },
      );
    } finally {
      await ks.stop();
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
