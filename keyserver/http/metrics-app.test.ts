import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyserverProcess } from '../test-support/keyserver-process';

/** METRICS_PORT in a real keyserver process: /metrics moves to a listener of its own, off the public port. */
describe('/metrics on a listener of its own', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-metrics-'));
  const token = 'T'.repeat(40);
  let server: Awaited<ReturnType<typeof startKeyserverProcess>>;
  let metricsUrl: string;

  beforeAll(async () => {
    server = await startKeyserverProcess({ DATA_DIR: dataDir, METRICS_PORT: '0', METRICS_TOKEN: token });
    metricsUrl = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(server.output())![1]!;
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the metrics there (with the token), and not on the public port', async () => {
    await fetch(`${server.url}/vks/v1/by-fingerprint/${'A'.repeat(40)}`);
    const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain(
      'keyward_http_requests_total{route="/vks/v1/by-fingerprint/:fpr",method="GET",status="404"} 1',
    );
    expect((await fetch(metricsUrl)).status).toBe(403);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(404);
  });

  it('serves nothing else there', async () => {
    const base = metricsUrl.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
    expect((await fetch(`${base}/vks/v1/by-fingerprint/${'A'.repeat(40)}`)).status).toBe(404);
  });

  it('stops with the keyserver', async () => {
    expect(await server.stop()).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });
});
