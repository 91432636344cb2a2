import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { invalidInput } from '../../shared/errors';
import {
  grantIdSchema,
  grantUploadSchema,
  LEGACY_LIMITS,
  ownerActionSchema,
  ownerListSchema,
  refuseSchema,
  trustedActionSchema,
  type OwnerGrantView,
  type ReleaseAnswer,
  type TrustedGrantView,
} from '../../shared/legacy';
import { html, page } from '../directory/html-page';
import { clientOf } from '../http/client-address';
import { readJson } from '../http/read-body';
import { settledView } from './grant-state';
import type { Legacy } from './legacy';
import { legacyRateRules } from './legacy-deps';

/** A bad field is a 400 that names it (never its value); a bad address or fingerprint throws its own. */
function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidInput(`Invalid request: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim());
  }
  return result.data;
}

async function body<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> {
  return parse(schema, await readJson(ctx, LEGACY_LIMITS.bodyLimit));
}

const grantIdOf = (ctx: Context): string =>
  parse(grantIdSchema, (ctx.params as { grantId?: unknown }).grantId);

/**
 * The digital-legacy API under /legacy/v1 (docs/legacy.md): thin adapters over the use cases, with the request and
 * answer shapes of shared/legacy/legacy-api.ts. Errors go to the one error mapper, which adds the legacy `reason`.
 */
export function legacyRoutes(legacy: Legacy): Router {
  const router = new Router({ prefix: '/legacy/v1' });
  const rules = legacyRateRules(legacy.deps.config);
  router.use(async (ctx, next) => {
    await legacy.deps.limiter.enforce(rules.requestIp, clientOf(ctx).ip);
    await next();
  });
  const auth = (ctx: Context, proof: z.output<typeof ownerActionSchema>['proof']) => ({
    proof,
    authorization: ctx.get('authorization') || undefined,
    client: clientOf(ctx),
  });

  router.post('/challenges', async (ctx) => {
    ctx.status = 201;
    ctx.body = await legacy.challenges.issue();
  });

  router.post('/grants', async (ctx) => {
    const grant: OwnerGrantView = await legacy.owner.create(
      await body(ctx, grantUploadSchema),
      clientOf(ctx),
    );
    ctx.status = 201;
    ctx.body = { grant };
  });

  router.put('/grants/:grantId', async (ctx) => {
    const id = grantIdOf(ctx);
    const grant = await legacy.owner.change(id, await body(ctx, grantUploadSchema), clientOf(ctx));
    ctx.body = { grant };
  });

  router.post('/grants/:grantId/revoke', async (ctx) => {
    const id = grantIdOf(ctx);
    const { proof } = await body(ctx, ownerActionSchema);
    ctx.body = { grant: await legacy.owner.revoke(id, auth(ctx, proof)) };
  });

  router.post('/grants/:grantId/refuse', async (ctx) => {
    const id = grantIdOf(ctx);
    const { proof, requestId } = await body(ctx, refuseSchema);
    ctx.body = { grant: await legacy.owner.refuse(id, requestId, auth(ctx, proof)) };
  });

  router.post('/owner/grants', async (ctx) => {
    const { proof, ownerAddress } = await body(ctx, ownerListSchema);
    ctx.body = { grants: await legacy.owner.list(ownerAddress, auth(ctx, proof)) };
  });

  router.post('/trusted/grants', async (ctx) => {
    const { proof } = await body(ctx, trustedActionSchema);
    const grants: TrustedGrantView[] = await legacy.trusted.list(proof);
    ctx.body = { grants };
  });

  router.post('/grants/:grantId/request', async (ctx) => {
    const id = grantIdOf(ctx);
    const { proof } = await body(ctx, trustedActionSchema);
    ctx.body = { grant: await legacy.trusted.request(id, proof, clientOf(ctx)) };
  });

  router.post('/grants/:grantId/payload', async (ctx) => {
    const id = grantIdOf(ctx);
    const { proof } = await body(ctx, trustedActionSchema);
    const release: ReleaseAnswer = await legacy.trusted.fetch(id, proof, clientOf(ctx));
    ctx.body = release;
  });

  return router;
}

/**
 * The page the owner's mails link to: where the request stands and where to refuse. It changes nothing (a link in
 * a mail is no proof of who clicked it) and says nothing the mail did not: not who asked.
 */
export function legacyPageRoutes(legacy: Legacy, baseUrl: string): Router {
  const router = new Router();
  const base = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const when = (t: number) => `${new Date(t).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  const rules = legacyRateRules(legacy.deps.config);

  router.get('/legacy/requests/:grantId/:requestId', async (ctx) => {
    await legacy.deps.limiter.enforce(rules.requestIp, clientOf(ctx).ip);
    const valid = grantIdSchema.safeParse(ctx.params.grantId).success;
    const grant = valid ? await legacy.deps.store.legacy.grants.get(String(ctx.params.grantId)) : null;
    const now = legacy.deps.clock.now().getTime();
    const shown = grant && grant.request?.id === ctx.params.requestId ? settledView(grant, now) : null;
    ctx.type = 'text/html';
    if (!shown) {
      ctx.status = 404;
      ctx.body = page(
        'No such request',
        html`<section class="err">
          <p>There is no such request (or it was replaced by a newer one).</p>
        </section>`,
        base,
      );
      return;
    }
    const state = {
      pending: `Your trusted person asked for access to your key. Unless you refuse, they get it on ${when(shown.releaseAt)}.`,
      refused: 'You refused this request. Nothing was released.',
      cancelled: 'This request ended when the grant was changed or withdrawn. Nothing was released.',
      released: `The waiting period ended on ${when(shown.releaseAt)} without a refusal: the key was released.`,
    }[shown.state];
    ctx.body = page(
      'A request for access to your key',
      html`<section class="${shown.state === 'released' ? 'err' : 'ok'}"><p>${state}</p></section>
        <section>
          <p>
            To refuse, open Keyward, go to its settings, <em>If something happens to you</em>, and choose
            <em>Refuse</em> next to this request. On a device without your key, Keyward can refuse after you
            log in to your key backup with your passphrase.
          </p>
          <p>This page cannot refuse by itself: a link in a mail is not proof that you are you.</p>
        </section>`,
      base,
    );
  });

  return router;
}
