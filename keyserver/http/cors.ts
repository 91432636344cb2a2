import type { Context, Next } from 'koa';

/** Public lookups may be read by any origin (web clients like Keyward's extension and Mailvelope); no credentials. */
export function publicCors(): (ctx: Context, next: Next) => Promise<void> {
  // Not async: on every public request, and it has nothing to do after the rest.
  return (ctx, next) => {
    ctx.res.setHeader('Access-Control-Allow-Origin', '*');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Content-Type');
      ctx.set('Access-Control-Max-Age', '86400');
      ctx.status = 204;
      return Promise.resolve();
    }
    return next();
  };
}
