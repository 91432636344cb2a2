import Router from '@koa/router';
import type { Context } from 'koa';
import { clientOf } from '../http/client-address';
import type { Directory } from './directory';
import { sendKeyBinary } from './send-key';

/**
 * Web Key Directory (draft-koch-openpgp-webkey-service) for the configured WKD_DOMAINS. Advanced method paths carry
 * the domain; the direct method's domain comes from the Host header, used only to pick one of WKD_DOMAINS (never
 * to build links). Koa answers HEAD from the GET route with the same headers and no body.
 */
export function wkdRoutes(directory: Directory, domains: readonly string[]): Router {
  const router = new Router({ prefix: '/.well-known/openpgpkey' });

  const directDomain = (ctx: Context): string => {
    const host = ctx.hostname.toLowerCase().replace(/^openpgpkey\./, '');
    return domains.includes(host) ? host : domains.length === 1 ? domains[0]! : host;
  };

  const lookup = async (ctx: Context, domain: string, hash: string) => {
    const l = typeof ctx.query.l === 'string' ? ctx.query.l : undefined;
    sendKeyBinary(ctx, await directory.lookup.wkd(domain, hash, l, clientOf(ctx)));
  };

  const policy = (ctx: Context, domain: string) => {
    if (!domains.includes(domain)) {
      ctx.status = 404;
      return;
    }
    ctx.type = 'text/plain';
    ctx.body = ''; // an empty policy file: no options (draft §4.5)
  };

  router.get('/policy', (ctx) => policy(ctx, directDomain(ctx)));
  router.get('/hu/:hash', (ctx) => lookup(ctx, directDomain(ctx), ctx.params.hash ?? ''));
  router.get('/:domain/policy', (ctx) => policy(ctx, (ctx.params.domain ?? '').toLowerCase()));
  router.get('/:domain/hu/:hash', (ctx) => lookup(ctx, ctx.params.domain ?? '', ctx.params.hash ?? ''));

  return router;
}
