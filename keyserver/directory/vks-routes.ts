import Router from '@koa/router';
import { z } from 'zod';
import { invalidInput } from '../../shared/errors';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import { addDirectRoutes, type DirectRoute } from '../http/direct-routes';
import { readJson } from '../http/read-body';
import { clientOf } from '../http/client-address';
import type { Directory } from './directory';
import { sendKeyArmored } from './send-key';

const uploadSchema = z.object({ keytext: z.string().min(1) });
const verifySchema = z.object({
  token: z.string().min(1).max(400),
  addresses: z.array(z.string()).max(100),
  locale: z.array(z.string()).optional(),
});

// Base64 as tools write it: one line, or lines broken with CRLF or LF.
const BASE64 = /^[A-Za-z0-9+/]+(\r?\n[A-Za-z0-9+/]+)*=*\s*$/;

/**
 * VKS takes `keytext` as ASCII armor or as base64 of the binary key. Base64 is decoded here, at the protocol's
 * edge, when it decodes to what starts like an OpenPGP packet (bit 7 of the first byte); anything else goes on as
 * text, so the key policy explains what is wrong with it.
 */
function keytextInput(keytext: string): string | Uint8Array {
  if (!BASE64.test(keytext)) return keytext;
  const bytes = new Uint8Array(Buffer.from(keytext.replace(/\s+/g, ''), 'base64'));
  return bytes.length > 0 && (bytes[0]! & 0x80) !== 0 ? bytes : keytext;
}

/** VKS lookups: served by directRoutes (app.ts), and by the router below in every other form. */
export function vksLookups(directory: Directory): DirectRoute[] {
  return [
    {
      path: '/vks/v1/by-fingerprint/:fpr',
      async handle(ctx, fpr) {
        // VKS wants upper-case hex without 0x; we accept any form but say when it is not a fingerprint.
        const fingerprint = Fingerprint.parse(fpr);
        sendKeyArmored(ctx, await directory.lookup.find({ kind: 'fingerprint', fingerprint }, clientOf(ctx)));
      },
    },
    {
      path: '/vks/v1/by-keyid/:keyid',
      async handle(ctx, keyid) {
        const keyId = KeyId.parse(keyid);
        sendKeyArmored(ctx, await directory.lookup.find({ kind: 'keyid', keyId }, clientOf(ctx)));
      },
    },
    {
      path: '/vks/v1/by-email/:email',
      async handle(ctx, address) {
        const email = Email.parse(address); // already percent-decoded
        sendKeyArmored(ctx, await directory.lookup.find({ kind: 'email', email }, clientOf(ctx)));
      },
    },
  ];
}

/** VKS v1, keys.openpgp.org's API (Thunderbird, Sequoia `sq`, the Keyward extension). */
export function vksRoutes(directory: Directory, bodyLimit: number): Router {
  const router = new Router({ prefix: '/vks/v1' });
  addDirectRoutes(router, vksLookups(directory));

  router.post('/upload', async (ctx) => {
    const body = uploadSchema.safeParse(await readJson(ctx, bodyLimit));
    if (!body.success) throw invalidInput('Send {"keytext": "<armored public key>"}.');
    const results = await directory.publishing.upload(keytextInput(body.data.keytext), clientOf(ctx));
    const [r] = results;
    ctx.body = { key_fpr: r!.fingerprint, token: r!.token, status: r!.status };
  });

  router.post('/request-verify', async (ctx) => {
    const body = verifySchema.safeParse(await readJson(ctx, bodyLimit));
    if (!body.success) throw invalidInput('Send {"token": "...", "addresses": ["..."]}.');
    const addresses = body.data.addresses.map((a) => Email.parse(a));
    const r = await directory.publishing.requestVerify(body.data.token, addresses, clientOf(ctx));
    ctx.body = { key_fpr: r.fingerprint, token: r.token, status: r.status };
  });

  return router;
}
