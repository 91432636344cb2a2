import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/**
 * One structured line per request: method, route, status, time taken, client address. A request a route matched is
 * named by its pattern (`/verify/:token`, `/vks/v1/by-email/:email`), never by its path: paths carry live tokens
 * (verification and removal links, hand-over relay channels, digital-legacy request links) and the addresses people
 * look up. A request no route
 * matched (a probe, a link mangled by a mail client) gets its path with every secret-looking part taken out, and no
 * request's query string or headers are logged at all (escrow sessions travel in Authorization).
 */
export function accessLog(log: Logger): Middleware {
  return async (ctx, next) => {
    // LOG_LEVEL above info silences it; then not even the line's fields are put together.
    if (!log.isLevelEnabled('info')) {
      await next();
      return;
    }
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute;
      log.info(
        {
          method: ctx.method,
          route: route ?? 'unmatched',
          ...(route === undefined ? { path: redactedPath(ctx.path) } : {}),
          status: ctx.status,
          ms: Math.round((performance.now() - start) * 10) / 10,
          client: ctx.ip,
        },
        'request',
      );
    }
  };
}

/** Path prefixes whose rest is a secret whatever it looks like: the token-bearing routes. */
const SECRET_AFTER = [
  /^(\/verify\/)/i,
  /^(\/manage\/)/i,
  /^(\/escrow\/v1\/relay\/)/i,
  /^(\/legacy\/requests\/)/i,
];
/** A path segment that could be a token, a relay channel, a fingerprint or an address: 16+ such characters. */
const SECRET_LOOKING = /[A-Za-z0-9_~.+=%@-]{16,}/g;
const MAX_LOGGED = 200;

/** The path of an unmatched request as the access log shows it: token-bearing parts replaced by `:redacted`. */
export function redactedPath(path: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path; // a malformed escape: redact the raw text instead
  }
  for (const prefix of SECRET_AFTER) {
    const m = prefix.exec(decoded);
    if (m && decoded.length > m[1]!.length) return `${m[1]!}:redacted`;
  }
  const redacted = decoded.replace(SECRET_LOOKING, ':redacted');
  return redacted.length > MAX_LOGGED ? `${redacted.slice(0, MAX_LOGGED)}…` : redacted;
}
