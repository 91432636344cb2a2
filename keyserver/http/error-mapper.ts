import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { type ErrorCode, KeywardError } from '../../shared/errors';

export const STATUS_FOR_CODE: Record<ErrorCode, number> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

export interface ErrorMapperOptions {
  /**
   * Requests whose error is answered as one line of plain text instead of JSON: VKS lookups (keys.openpgp.org
   * answers a failed GET with a text message, and clients show or log that body as it is).
   */
  plainText?: (ctx: Context) => boolean;
}

/**
 * The one place where domain errors become HTTP: 4xx carry the domain message (written for people), 5xx carry a
 * generic text and the details go to the log only. Body shape follows VKS: `{ "error": "..." }` for POSTs, the
 * message alone as text for the requests `plainText` picks; `reason` too when the error carries one.
 */
export function errorMapper(log: Logger, options: ErrorMapperOptions = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      let status = 500;
      let message = 'Internal server error.';
      let code = 'internal';
      let reason: string | undefined;
      if (err instanceof KeywardError) {
        status = STATUS_FOR_CODE[err.code];
        message = err.message;
        code = err.code;
        // A finer, stable reason some APIs define on top of the general code (digital legacy's, docs/legacy.md).
        if (typeof err.details.reason === 'string') reason = err.details.reason;
        const retry = err.details.retryAfterSeconds;
        if (retry !== undefined) ctx.set('Retry-After', String(retry));
      } else if (isHttpError(err) && err.status < 500) {
        // Koa's own and body-parsing errors (e.g. 413 from the body limit) that are safe to show.
        status = err.status;
        message = err.expose ? err.message : 'Bad request.';
        code = status === 413 ? 'too_large' : 'invalid_input';
      }
      // The route pattern, never the path: paths like /verify/<token> carry live tokens.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      if (status >= 500) log.error({ err, route, method: ctx.method }, 'request failed');
      ctx.status = status;
      if (options.plainText?.(ctx)) {
        ctx.type = 'text/plain';
        ctx.body = `${message}\n`;
      } else {
        ctx.type = 'application/json';
        ctx.body = reason === undefined ? { error: message, code } : { error: message, code, reason };
      }
    }
  };
}

function isHttpError(e: unknown): e is { status: number; expose?: boolean; message: string } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number';
}
