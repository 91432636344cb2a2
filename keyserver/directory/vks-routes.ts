import Router from '@koa/router';
import { z } from 'zod';
import { invalidInput } from '../../shared/errors';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import { readJson } from '../http/read-body';
import type { Directory } from './directory';
import { sendKeyArmored } from './send-key';

const uploadSchema = z.object({ keytext: z.string().min(1) });
const verifySchema = z.object({
  token: z.string().min(1).max(400),
  addresses: z.array(z.string()).max(100),
  locale: z.array(z.string()).optional(),
});

/** VKS v1, keys.openpgp.org's API (Thunderbird, Sequoia `sq`, the Keyward extension). */
export function vksRoutes(directory: Directory, bodyLimit: number): Router {
  const router = new Router({ prefix: '/vks/v1' });

  router.get('/by-fingerprint/:fpr', async (ctx) => {
    // VKS wants upper-case hex without 0x; we accept any form but say when it is not a fingerprint.
    const fingerprint = Fingerprint.parse(ctx.params.fpr ?? '');
    sendKeyArmored(ctx, await directory.lookup.find({ kind: 'fingerprint', fingerprint }, ctx));
  });

  router.get('/by-keyid/:keyid', async (ctx) => {
    const keyId = KeyId.parse(ctx.params.keyid ?? '');
    sendKeyArmored(ctx, await directory.lookup.find({ kind: 'keyid', keyId }, ctx));
  });

  router.get('/by-email/:email', async (ctx) => {
    const email = Email.parse(decodeURIComponent(ctx.params.email ?? ''));
    sendKeyArmored(ctx, await directory.lookup.find({ kind: 'email', email }, ctx));
  });

  router.post('/upload', async (ctx) => {
    const body = uploadSchema.safeParse(await readJson(ctx, bodyLimit));
    if (!body.success) throw invalidInput('Send {"keytext": "<armored public key>"}.');
    const results = await directory.publishing.upload(body.data.keytext, ctx);
    const [r] = results;
    ctx.body = { key_fpr: r!.fingerprint, token: r!.token, status: r!.status };
  });

  router.post('/request-verify', async (ctx) => {
    const body = verifySchema.safeParse(await readJson(ctx, bodyLimit));
    if (!body.success) throw invalidInput('Send {"token": "...", "addresses": ["..."]}.');
    const addresses = body.data.addresses.map((a) => Email.parse(a));
    const r = await directory.publishing.requestVerify(body.data.token, addresses, ctx);
    ctx.body = { key_fpr: r.fingerprint, token: r.token, status: r.status };
  });

  return router;
}
