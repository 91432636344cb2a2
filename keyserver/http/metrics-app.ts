import Koa from 'koa';
import type { Logger } from 'pino';
import { errorMapper } from './error-mapper';
import type { Metrics } from './metrics';
import { metricsEndpoint } from './metrics-endpoint';

/**
 * The listener of its own for /metrics (METRICS_PORT, on METRICS_HOST): only GET /metrics, so a private
 * interface can carry the metrics while the public port no longer serves them.
 */
export function createMetricsApp(metrics: Metrics, token: string | undefined, log: Logger): Koa {
  const app = new Koa();
  const serve = metricsEndpoint(metrics, token);
  app.use(errorMapper(log));
  app.use(async (ctx, next) => {
    if (ctx.path === '/metrics' && ctx.method === 'GET') await serve(ctx, next);
    else await next();
  });
  return app;
}
