import type { Middleware } from 'koa';

/**
 * Headers every response carries. The pages are plain server-rendered HTML with no scripts, so the content
 * security policy can forbid scripts outright; forms post only to this server.
 */
export function securityHeaders(): Middleware {
  const headers: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    [
      'Content-Security-Policy',
      "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ],
  ];
  // Set before the rest runs, so error responses (429, 404, 500) carry them too. This runs on every request, so
  // straight on the Node response (nothing has been sent yet) and without an async frame of its own.
  return (ctx, next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    if (ctx.protocol === 'https') ctx.res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    return next();
  };
}
