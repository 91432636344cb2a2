import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';

/** A GET route with at most one parameter, its last segment: '/vks/v1/by-email/:email' or '/pks/lookup'. */
export interface DirectRoute {
  /** The whole path pattern, as the router reports it (metrics and error logs name routes by it). */
  path: string;
  /** `param` is the percent-decoded parameter ('' for a route without one). */
  handle(ctx: Context, param: string): Promise<void>;
}

/**
 * Lookups are nearly all of a keyserver's traffic, and @koa/router's general matching (every route's regexp, a
 * middleware chain composed per request, the allowed-methods pass) costs a lookup about as much as the lookup
 * itself (docs/benchmarks.md). This answers GET and HEAD of the plain form of these routes at once. It only ever
 * takes requests the router would have given the same handler with the same parameter; everything else (another
 * letter case or a trailing slash, which the router also accepts; other methods, which get 405 or 501 from it)
 * goes on to the routers, where `addDirectRoutes` registered the same routes.
 */
export function directRoutes(routes: DirectRoute[]): Middleware {
  const exact = new Map<string, DirectRoute>();
  const byParent = new Map<string, DirectRoute>(); // '/vks/v1/by-email/' -> its route
  for (const route of routes) {
    const param = route.path.lastIndexOf('/:');
    if (param < 0) exact.set(route.path, route);
    else byParent.set(route.path.slice(0, param + 1), route);
  }
  return (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const path = ctx.path;
    let route = exact.get(path);
    let param = '';
    if (!route) {
      const slash = path.lastIndexOf('/');
      route = byParent.get(path.slice(0, slash + 1));
      param = path.slice(slash + 1);
      if (!route || param === '') return next();
      param = decodeParam(param);
    }
    (ctx as { _matchedRoute?: string })._matchedRoute = route.path;
    return route.handle(ctx, param);
  };
}

/** Registers the routes on the router (under its prefix too), which serves every form directRoutes passes on. */
export function addDirectRoutes(router: Router, routes: DirectRoute[]): void {
  const prefix = router.opts.prefix ?? '';
  for (const route of routes) {
    if (!route.path.startsWith(prefix)) throw new Error(`${route.path} is not under ${prefix}`);
    const name = /\/:(\w+)$/.exec(route.path)?.[1];
    router.get(route.path.slice(prefix.length), (ctx) =>
      route.handle(ctx, name === undefined ? '' : (ctx.params[name] ?? '')),
    );
  }
}

/** As @koa/router decodes parameters: a malformed escape leaves the text as it is. */
function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
