import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { KeywardError } from '../../shared/errors';
import type { Metrics } from './metrics';

/**
 * Serves the Prometheus exposition. With a token, only a request carrying `Authorization: Bearer <token>` gets it:
 * the metrics name every route and how busy the server is, which is the operator's business. The comparison
 * runs over SHA-256 digests in constant time, so response timing tells nothing about the token.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): Middleware {
  const expected = token === undefined ? null : digest(token);
  return async (ctx) => {
    if (expected !== null) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'))?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        throw new KeywardError('forbidden', 'The metrics need the bearer token set in METRICS_TOKEN.');
      }
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
