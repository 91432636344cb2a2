import Router from '@koa/router';
import Koa from 'koa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDirectRoutes, type DirectRoute, directRoutes } from './direct-routes';

/** The same routes as directRoutes and as a router behind it: which of the two served each request, and how. */
describe('direct routes', () => {
  let server: Server;
  let origin: string;
  let servedBy: string;

  beforeAll(async () => {
    const routes: DirectRoute[] = [
      {
        path: '/vks/v1/by-email/:email',
        handle: (ctx, email) => {
          ctx.body = { email, route: (ctx as { _matchedRoute?: string })._matchedRoute };
          return Promise.resolve();
        },
      },
      {
        path: '/pks/lookup',
        handle: (ctx, param) => {
          ctx.body = { param, search: ctx.query.search };
          return Promise.resolve();
        },
      },
    ];
    const app = new Koa();
    app.use(async (ctx, next) => {
      servedBy = 'direct';
      await next();
    });
    app.use(directRoutes(routes));
    app.use(async (ctx, next) => {
      servedBy = 'router';
      await next();
    });
    for (const prefix of ['/vks/v1', '/pks']) {
      const router = new Router({ prefix });
      addDirectRoutes(
        router,
        routes.filter((r) => r.path.startsWith(`${prefix}/`)),
      );
      app.use(router.routes());
      app.use(router.allowedMethods());
    }
    server = createServer(app.callback()); // eslint-disable-line @typescript-eslint/no-misused-promises
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it.each([
    ['the plain form', 'GET', '/vks/v1/by-email/a%40example.org', 'direct', 'a@example.org'],
    ['HEAD like GET', 'HEAD', '/vks/v1/by-email/a%40example.org', 'direct', undefined],
    [
      'another letter case, for the router',
      'GET',
      '/VKS/v1/by-email/b%40example.org',
      'router',
      'b@example.org',
    ],
    [
      'a trailing slash, for the router',
      'GET',
      '/vks/v1/by-email/c%40example.org/',
      'router',
      'c@example.org',
    ],
    ['a malformed escape, as the router leaves it', 'GET', '/vks/v1/by-email/%E0%A4%A', 'direct', '%E0%A4%A'],
    [
      'the same malformed escape through the router',
      'GET',
      '/Vks/v1/by-email/%E0%A4%A',
      'router',
      '%E0%A4%A',
    ],
  ])('%s', async (_name, method, path, by, email) => {
    const res = await fetch(`${origin}${path}`, { method });
    expect(res.status).toBe(200);
    expect(servedBy).toBe(by);
    if (method === 'GET') {
      expect(await res.json()).toEqual({ email, route: '/vks/v1/by-email/:email' });
    }
  });

  it('serves a route without a parameter, with its query', async () => {
    const res = await fetch(`${origin}/pks/lookup?search=x%40example.org`);
    expect(await res.json()).toEqual({ param: '', search: 'x@example.org' });
    expect(servedBy).toBe('direct');
  });

  it('leaves other methods to the router: 405 with the allowed ones', async () => {
    const res = await fetch(`${origin}/vks/v1/by-email/a%40example.org`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('HEAD, GET');
    expect(servedBy).toBe('router');
  });

  it('leaves an empty parameter and longer paths to the router: 404', async () => {
    for (const path of ['/vks/v1/by-email/', '/vks/v1/by-email/a/b', '/pks/lookup/more']) {
      expect((await fetch(`${origin}${path}`)).status).toBe(404);
      expect(servedBy).toBe('router');
    }
  });
});
