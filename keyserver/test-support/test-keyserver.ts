import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { manualClock } from '../../shared/clock';
import { createApp } from '../app';
import { type Config, loadConfig } from '../config';
import { createBackgroundWork } from '../directory/directory-deps';
import { createLegacyWorker } from '../legacy/legacy-worker';
import { createMailQueue, mailQueuePolicyFrom } from '../mail/mail-queue';
import { createSmtpMailer } from '../mail/smtp-mailer';
import { loadOpaqueServerSetup } from '../secrets/opaque-server-setup';
import { openSqliteStore } from '../store/sqlite/sqlite-store';
import { startMailCatcher } from './mail-catcher';

/**
 * A whole keyserver for integration tests: the real app (app.callback() on an ephemeral port), a real SQLite file
 * store in a temp folder (or env.DATA_DIR), real SMTP delivery to a mail catcher, and a manual clock. Every test gets its own.
 */
export async function startTestKeyserver(env: Record<string, string> = {}, options: { log?: Logger } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-ks-'));
  const mail = await startMailCatcher();
  const clock = manualClock(Date.now());
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: Config = loadConfig({
    BASE_URL: url,
    DATA_DIR: dataDir,
    SMTP_URL: mail.url,
    MAIL_ENCRYPT: 'never',
    WKD_DOMAINS: 'example.org',
    ...env,
  });
  // DATA_DIR in `env` makes this keyserver share another one's SQLite file and OPAQUE setup (a second process).
  const store = openSqliteStore(config.DATA_DIR);
  const mailer = createSmtpMailer({ url: mail.url, from: config.MAIL_FROM, log });
  const background = createBackgroundWork(log);
  const mailQueue = createMailQueue({
    store: store.mailQueue,
    mailer,
    clock,
    log,
    background,
    policy: mailQueuePolicyFrom(config),
  });
  const app = createApp({
    config,
    store,
    mailQueue,
    clock,
    log,
    serverSecret: new Uint8Array(32).fill(7),
    // Generated into the temp DATA_DIR like the embedded default, unless the test passes OPAQUE_SERVER_SETUP.
    opaqueSetup: await loadOpaqueServerSetup(config.OPAQUE_SERVER_SETUP, config.DATA_DIR),
    background,
  });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback handles its own errors
  server.on('request', app.callback());
  const legacy = createLegacyWorker({ store, mailQueue, clock, log, config });

  return {
    url,
    config,
    store,
    clock,
    mail,
    background,
    /** Tests sweep it by hand after moving the clock; nothing sweeps it on a timer here. */
    mailQueue,
    /** Digital legacy's scheduler, as main.ts runs it: tests sweep it by hand after moving the clock. */
    legacy,
    dataDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background.drain();
      await mailer.close();
      await store.close();
      await mail.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestKeyserver = Awaited<ReturnType<typeof startTestKeyserver>>;
