import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../shared/clock';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { createBackgroundWork } from './directory/directory-deps';
import { startSweeper } from './directory/sweeper';
import { createMetrics } from './http/metrics';
import { createMetricsApp } from './http/metrics-app';
import { createLegacyWorker, startLegacySweeps } from './legacy/legacy-worker';
import { createLogger } from './logger';
import { createMailer } from './mail/create-mailer';
import { createMailQueue, mailQueuePolicyFrom, startMailSweeps, sweepIntervalMs } from './mail/mail-queue';
import { loadOpaqueServerSetup } from './secrets/opaque-server-setup';
import { loadServerSecret } from './secrets/server-secret';
import { openStore } from './store/open-store';

/**
 * The keyserver's composition root: config -> store, mailer and mail queue, secrets -> app -> listen; the timed
 * sweeps (expiry, mail, digital legacy); shutdown.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL);
  const store = await openStore(config);
  const mailer = createMailer(config, log);
  const serverSecret = loadServerSecret(config.KEYSERVER_SECRET, config.DATA_DIR);
  const opaqueSetup = await loadOpaqueServerSetup(config.OPAQUE_SERVER_SETUP, config.DATA_DIR);
  const background = createBackgroundWork(log);
  const mailQueue = createMailQueue({
    store: store.mailQueue,
    mailer,
    clock: systemClock,
    log,
    background,
    policy: mailQueuePolicyFrom(config),
  });
  const server = createServer();
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  if (config.PORT === 0 && process.env.BASE_URL === undefined) {
    // An ephemeral port (tests, several local instances): links must carry the port actually bound.
    config = Object.freeze({ ...config, BASE_URL: config.BASE_URL.replace(/:0$/, `:${port}`) });
  }
  const metrics = createMetrics();
  const app = createApp({
    config,
    store,
    mailQueue,
    clock: systemClock,
    log,
    serverSecret,
    opaqueSetup,
    background,
    metrics,
  });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback handles its own errors
  server.on('request', app.callback());
  const metricsServer = config.METRICS_PORT === undefined ? null : createServer();
  if (metricsServer) {
    metricsServer.requestTimeout = 30_000;
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback handles its own errors
    metricsServer.on('request', createMetricsApp(metrics, config.METRICS_TOKEN, log).callback());
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(config.METRICS_PORT, config.METRICS_HOST, resolve);
    });
    const bound = (metricsServer.address() as AddressInfo).port;
    process.stdout.write(`Keyward keyserver metrics on http://${config.METRICS_HOST}:${bound}/metrics\n`);
  }
  const stopSweeper = startSweeper(store, systemClock, log);
  // At once (mails an earlier run left queued), then as often as retries fall due.
  const stopMailSweeps = startMailSweeps(mailQueue, log, sweepIntervalMs(mailQueue.policy));
  // Digital legacy's reminders and releases: at once (what fell due while no process ran), then on a timer.
  const legacyWorker = createLegacyWorker({ store, mailQueue, clock: systemClock, log, config });
  const stopLegacySweeps = startLegacySweeps(legacyWorker, log, config.LEGACY_SWEEP_SECONDS * 1000);
  const storeName = config.MONGODB_URI ? 'mongodb' : 'sqlite';
  log.info({ url: config.BASE_URL, port, store: storeName, dataDir: config.DATA_DIR }, 'keyserver listening');
  // One plain line for people and for scripts that wait for readiness (scripts/start.ts, tests).
  process.stdout.write(
    `Keyward keyserver listening on http://${config.HOST}:${port} (BASE_URL ${config.BASE_URL})\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stopSweeper();
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    metricsServer?.close();
    metricsServer?.closeIdleConnections();
    server.close(() => {
      // In-flight requests are done; let the sends and sweeps they started finish (what is not sent stays queued
      // in the store for the next start or another process), then close the store.
      void Promise.all([stopLegacySweeps(), stopMailSweeps()])
        .then(() => background.drain())
        .then(() => Promise.all([mailer.close(), store.close()]))
        .then(() => {
          clearTimeout(force);
          log.info('stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
