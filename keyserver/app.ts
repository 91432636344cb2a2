import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock';
import { legacyError } from '../shared/legacy';
import type { Config } from './config';
import { createDirectory } from './directory/directory';
import { type BackgroundWork, createBackgroundWork } from './directory/directory-deps';
import { hkpLookups, hkpRoutes } from './directory/hkp-routes';
import { pageRoutes } from './directory/page-routes';
import { restRoutes } from './directory/rest-routes';
import { createUploadTokens } from './directory/upload-token';
import { vksLookups, vksRoutes } from './directory/vks-routes';
import { wkdRoutes } from './directory/wkd-routes';
import { createEscrow } from './escrow/escrow';
import { escrowRoutes } from './escrow/escrow-routes';
import { codeKeyFrom } from './escrow/escrow-secrets';
import { accessLog } from './http/access-log';
import { publicCors } from './http/cors';
import { directRoutes } from './http/direct-routes';
import { errorMapper } from './http/error-mapper';
import { createMetrics, type Metrics } from './http/metrics';
import { metricsEndpoint } from './http/metrics-endpoint';
import { createRateLimiter } from './limits/rate-limiter';
import { securityHeaders } from './http/security-headers';
import { keyLimitsFrom } from './keys';
import { createLegacy } from './legacy/legacy';
import { legacyPageRoutes, legacyRoutes } from './legacy/legacy-routes';
import type { MailQueue } from './mail/mail-queue';
import type { Store } from './store/ports';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Every mail goes through the durable queue (mail/mail-queue.ts); main.ts runs its sweeps. */
  mailQueue: MailQueue;
  clock: Clock;
  log: Logger;
  /** 32 bytes; authenticates upload tokens (secrets/server-secret.ts). */
  serverSecret: Uint8Array;
  /** The OPAQUE server setup (secrets/opaque-server-setup.ts), loaded with the library ready. */
  opaqueSetup: string;
  /** Mails sent after responses; the caller keeps it to wait for them (shutdown, tests). */
  background?: BackgroundWork;
  /** The request metrics; main.ts keeps them to serve them on METRICS_PORT when that is set. */
  metrics?: Metrics;
}

/** Builds the keyserver's Koa app. It never listens: main.ts does, tests use `app.callback()`. */
export function createApp(deps: AppDeps): Koa {
  const { config, store, log } = deps;
  // Behind a proxy, trust only the address the last hop added: leftmost X-Forwarded-For entries are client-chosen.
  const app = new Koa({ proxy: config.TRUST_PROXY === 'true', maxIpsCount: 1 });
  const limiter = createRateLimiter(store.rateLimits, deps.clock);
  const background = deps.background ?? createBackgroundWork(log);
  const directory = createDirectory({
    ...deps,
    limiter,
    uploadTokens: createUploadTokens(deps.serverSecret, config.TOKEN_TTL_HOURS * 3_600_000),
    keyLimits: keyLimitsFrom(config),
    background,
  });
  const escrow = createEscrow({ ...deps, limiter, background, codeKey: codeKeyFrom(deps.serverSecret) });
  const legacy = createLegacy({
    ...deps,
    limiter,
    background,
    // An owner without their key proves themselves with a key-backup login (docs/legacy.md).
    sessionAddress: async (authorization) => {
      const session = await escrow.sessions.authenticate(authorization, ['session']).catch(() => null);
      if (!session) {
        throw legacyError(
          'unauthorized',
          'Sign the request with your key, or log in to your key backup again.',
        );
      }
      return session.address;
    },
  });
  const metrics = deps.metrics ?? createMetrics();
  const ops = new Router();
  ops.get('/healthz', async (ctx) => {
    await store.ping();
    const mail = await deps.mailQueue.health();
    if (mail.ok) {
      ctx.body = { status: 'ok' };
    } else {
      // A load balancer takes a 503 as "not healthy"; the body says why, for the operator.
      ctx.status = 503;
      ctx.body = { status: 'unhealthy', problems: [mail.problem] };
    }
  });
  // With METRICS_PORT the metrics have a listener of their own (main.ts), and the public port no longer has them.
  if (config.METRICS_PORT === undefined) ops.get('/metrics', metricsEndpoint(metrics, config.METRICS_TOKEN));

  const limit = config.MAX_BODY_BYTES;
  const lookups = [
    vksRoutes(directory, limit),
    hkpRoutes(directory, limit),
    wkdRoutes(directory, config.WKD_DOMAINS),
    restRoutes(directory, limit),
  ];

  if (config.ACCESS_LOG === 'true') app.use(accessLog(log));
  app.use(metrics.middleware);
  app.use(securityHeaders());
  app.use(errorMapper(log, { plainText: isVksLookup }));
  const cors = publicCors();
  app.use((ctx, next) => (isPublicApi(ctx.path) ? cors(ctx, next) : next()));
  // The lookups' plain forms first, without the routers' general matching; the routers serve everything else.
  app.use(directRoutes([...vksLookups(directory), ...hkpLookups(directory)]));
  for (const router of [
    ops,
    ...lookups,
    escrowRoutes(escrow),
    legacyRoutes(legacy),
    legacyPageRoutes(legacy, config.BASE_URL),
    pageRoutes(directory, limit, config.BASE_URL),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}

function isVksLookup(ctx: Context): boolean {
  return (ctx.method === 'GET' || ctx.method === 'HEAD') && /^\/vks\//i.test(ctx.path);
}

function isPublicApi(path: string): boolean {
  return /^\/(vks|pks|api)\/|^\/\.well-known\/openpgpkey\//.test(path);
}
