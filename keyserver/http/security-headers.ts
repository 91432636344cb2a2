import type { Middleware } from 'koa';

/**
 * Headers every response carries. The pages are plain server-rendered HTML with no scripts, so the content
 * security policy can forbid scripts outright; forms post only to this server.
 */
export function securityHeaders(): Middleware {
  // Set before the rest runs, so error responses (429, 404, 500) carry them too.
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    if (ctx.protocol === 'https') ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
  };
}
