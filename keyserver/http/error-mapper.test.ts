import Koa from 'koa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeywardError } from '../../shared/errors';
import { escrowError } from '../../shared/escrow/escrow-api';
import { legacyError } from '../../shared/legacy';
import { errorMapper, type ErrorPage } from './error-mapper';

/** Every API's errors through the one mapper: one JSON envelope, the VKS text, people's pages, hidden 5xx. */
describe('error mapper', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    const app = new Koa();
    app.use(errorMapper(pino({ level: 'silent' }), { plainText: (ctx) => ctx.path.startsWith('/vks/') }));
    app.use((ctx) => {
      if (ctx.path.startsWith('/page/')) {
        ctx.state.errorPage = ((text) => `<p>${text}</p>`) satisfies ErrorPage;
      }
      const what = ctx.path.split('/').pop();
      if (what === 'escrow') throw escrowError('locked', 'Too many guesses.', 60);
      if (what === 'login') throw escrowError('login_failed', 'The login failed.');
      if (what === 'legacy') throw legacyError('no_grant', 'No such grant.');
      if (what === 'plain') throw new KeywardError('not_found', 'No key for this address.');
      throw new Error('secret internals');
    });
    const handler = app.callback();
    server = createServer((request, response) => void handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = async (path: string) => {
    const response = await fetch(origin + path);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      text: await response.text(),
      response,
    };
  };

  it('answers escrow, legacy and REST errors in one envelope: the text, the code and the reason', async () => {
    const escrow = await get('/api/escrow');
    expect(escrow.status).toBe(429);
    expect(escrow.response.headers.get('retry-after')).toBe('60');
    expect(JSON.parse(escrow.text)).toEqual({
      error: 'Too many guesses.',
      code: 'rate_limited',
      reason: 'locked',
    });
    const legacy = await get('/api/legacy');
    expect(legacy.status).toBe(404);
    expect(JSON.parse(legacy.text)).toEqual({
      error: 'No such grant.',
      code: 'not_found',
      reason: 'no_grant',
    });
    expect(JSON.parse((await get('/api/plain')).text)).toEqual({
      error: 'No key for this address.',
      code: 'not_found',
    });
  });

  it('asks for authentication (401) when a login failed or a session is missing', async () => {
    expect((await get('/api/login')).status).toBe(401);
  });

  it('answers VKS lookups as plain text, as keys.openpgp.org does', async () => {
    const vks = await get('/vks/plain');
    expect(vks).toMatchObject({ status: 404, text: 'No key for this address.\n' });
    expect(vks.type).toMatch(/^text\/plain/);
  });

  it('shows people a page for their mistakes', async () => {
    const page = await get('/page/plain');
    expect(page).toMatchObject({ status: 404, text: '<p>No key for this address.</p>' });
    expect(page.type).toMatch(/^text\/html/);
  });

  it('hides what an unexpected failure was (a page too)', async () => {
    for (const path of ['/api/bug', '/page/bug']) {
      const failed = await get(path);
      expect(failed.status).toBe(500);
      expect(JSON.parse(failed.text)).toEqual({ error: 'Internal server error.', code: 'internal' });
    }
  });
});
