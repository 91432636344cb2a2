import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { invalidInput } from '../../shared/errors';
import { clientOf } from '../http/client-address';
import { readJson } from '../http/read-body';
import { escrowRateRules } from './escrow-deps';
import type { Escrow } from './escrow';
import { ESCROW_LIMITS, escrowRequests as schemas } from '../../shared/escrow/escrow-api';

/** Reads and checks a JSON body; a bad field is a 400 that names it (never its value). */
async function body<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> {
  return parse(schema, await readJson(ctx, ESCROW_LIMITS.bodyLimit));
}

/** A refused field is named with the schema's (or the value type's) message, never with its value. */
function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidInput(`Invalid request: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim());
  }
  return result.data;
}

/** The escrow HTTP API under /escrow/v1 (docs/escrow.md): thin adapters over the use cases. */
export function escrowRoutes(escrow: Escrow): Router {
  const router = new Router({ prefix: '/escrow/v1' });
  const rules = escrowRateRules(escrow.deps.config);
  const limited = (ctx: Context) => escrow.deps.limiter.enforce(rules.requestIp, clientOf(ctx).ip);

  router.post('/codes', async (ctx) => {
    const { address, purpose } = await body(ctx, schemas.codes);
    await escrow.codes.request(address, purpose, clientOf(ctx));
    ctx.status = 202;
    ctx.body = {};
  });

  router.post('/register/start', async (ctx) => {
    await limited(ctx);
    const { address, registrationRequest } = await body(ctx, schemas.registerStart);
    ctx.body = {
      registrationResponse: await escrow.login.registrationResponse(address, registrationRequest),
    };
  });

  router.post('/accounts', async (ctx) => {
    await limited(ctx);
    const created = await escrow.accounts.create(await body(ctx, schemas.createAccount));
    ctx.status = 201;
    ctx.body = created;
  });

  router.post('/login/start', async (ctx) => {
    await limited(ctx);
    const { address, startLoginRequest } = await body(ctx, schemas.loginStart);
    ctx.body = await escrow.login.start(address, startLoginRequest);
  });

  router.post('/login/finish', async (ctx) => {
    await limited(ctx);
    const { loginId, finishLoginRequest } = await body(ctx, schemas.loginFinish);
    ctx.body = await escrow.login.finish(loginId, finishLoginRequest);
  });

  router.post('/escrow/fetch', async (ctx) => {
    await limited(ctx);
    const session = await escrow.sessions.authenticate(ctx.get('authorization'), ['session']);
    ctx.body = await escrow.accounts.fetch(session, await body(ctx, schemas.fetch), clientOf(ctx));
  });

  router.put('/escrow', async (ctx) => {
    await limited(ctx);
    const session = await escrow.sessions.authenticate(ctx.get('authorization'), ['session', 'recovery']);
    const update = await body(ctx, schemas.update);
    if (session.kind === 'recovery' && (!update.registrationRecord || !update.recoveryVerifier)) {
      throw invalidInput('After a recovery, send a new registrationRecord and a new recoveryVerifier.');
    }
    ctx.body = await escrow.accounts.update(session, update);
    if (session.kind === 'recovery') await escrow.sessions.revoke(session);
  });

  router.delete('/escrow', async (ctx) => {
    await limited(ctx);
    const session = await escrow.sessions.authenticate(ctx.get('authorization'), ['session']);
    await escrow.accounts.delete(session);
    ctx.status = 204;
  });

  router.post('/recover', async (ctx) => {
    await limited(ctx);
    const { address, recoveryAuth, code } = await body(ctx, schemas.recover);
    ctx.body = await escrow.recovery.recover(address, recoveryAuth, code, clientOf(ctx));
  });

  router.post('/relay/:channel/:slot', async (ctx) => {
    await escrow.deps.limiter.enforce(rules.relayIp, clientOf(ctx).ip);
    const { channel, slot } = parse(schemas.relayPath, ctx.params);
    const { payload } = await body(ctx, schemas.relayPut);
    await escrow.relay.put(channel, slot, payload);
    ctx.status = 201;
    ctx.body = {};
  });

  router.get('/relay/:channel/:slot', async (ctx) => {
    await escrow.deps.limiter.enforce(rules.relayIp, clientOf(ctx).ip);
    const { channel, slot } = parse(schemas.relayPath, ctx.params);
    ctx.body = { payload: await escrow.relay.take(channel, slot) };
  });

  return router;
}
