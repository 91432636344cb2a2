import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { type ErrorCode, type ErrorReason, KeywardError } from '../../shared/errors';

export const STATUS_FOR_CODE: Record<ErrorCode, number> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * Reasons answered with another status than their code's: a login that failed or a session that is missing asks
 * the client to authenticate (again), which HTTP spells 401, not 403.
 */
const STATUS_FOR_REASON: Partial<Record<ErrorReason, number>> = {
  login_failed: 401,
  recovery_failed: 401,
  unauthorized: 401,
};

/** How a route shows its failures to people instead of JSON (set on `ctx.state.errorPage` by the route). */
export type ErrorPage = (message: string) => string;

export interface ErrorMapperOptions {
  /**
   * Requests whose error is answered as one line of plain text instead of JSON: VKS lookups (keys.openpgp.org
   * answers a failed GET with a text message, and clients show or log that body as it is).
   */
  plainText?: (ctx: Context) => boolean;
}

/**
 * The one place where errors become HTTP. 4xx carry the domain message (written for people); 5xx carry a generic
 * text, and their details go to the log only. Every JSON API (VKS POSTs, REST, escrow, digital legacy) answers one
 * envelope, `{ "error": "<text for people>", "code": "<general code>", "reason": "<finer reason>" }` (`reason` only
 * when the error has one); the requests `plainText` picks answer the text alone; pages that set
 * `ctx.state.errorPage` answer HTML for people's mistakes (5xx stay JSON: nothing a person can fix).
 */
export function errorMapper(log: Logger, options: ErrorMapperOptions = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      let status = 500;
      let message = 'Internal server error.';
      let code = 'internal';
      let reason: ErrorReason | undefined;
      if (err instanceof KeywardError) {
        reason = err.details.reason;
        status = (reason && STATUS_FOR_REASON[reason]) ?? STATUS_FOR_CODE[err.code];
        message = err.message;
        code = err.code;
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
      const errorPage = (ctx.state as { errorPage?: ErrorPage }).errorPage;
      if (errorPage && err instanceof KeywardError && status < 500) {
        ctx.type = 'text/html';
        ctx.body = errorPage(message);
      } else if (options.plainText?.(ctx)) {
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
