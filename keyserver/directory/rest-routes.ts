import Router from '@koa/router';
import { z } from 'zod';
import { invalidInput } from '../../shared/errors';
import { Email, Fingerprint, KeyId } from '../../shared/identity';
import { keyIndexEntry } from '../keys';
import { readJson } from '../http/read-body';
import { clientOf } from '../http/client-address';
import type { Directory } from './directory';
import type { KeyQuery } from './lookup';

const uploadSchema = z.object({
  publicKeyArmored: z.string().min(1),
  emails: z.array(z.string()).max(100).optional(),
});

function queryFrom(q: Record<string, unknown>): KeyQuery {
  if (typeof q.email === 'string') return { kind: 'email', email: Email.parse(q.email) };
  if (typeof q.fingerprint === 'string')
    return { kind: 'fingerprint', fingerprint: Fingerprint.parse(q.fingerprint) };
  if (typeof q.keyId === 'string') return { kind: 'keyid', keyId: KeyId.parse(q.keyId) };
  throw invalidInput('Give one of email, fingerprint or keyId.');
}

/** Mailvelope's REST API (mailvelope/keyserver), so Mailvelope-style clients can use this server too. */
export function restRoutes(directory: Directory, bodyLimit: number): Router {
  const router = new Router({ prefix: '/api/v1' });

  router.get('/key', async (ctx) => {
    const found = await directory.lookup.find(queryFrom(ctx.query), clientOf(ctx));
    const entry = await keyIndexEntry(found.packets, found.publishedEmails, directory.clock.now());
    // Hex in lower case, the algorithm by name: the shapes Mailvelope's README and its own server use.
    ctx.body = {
      keyId: Fingerprint.keyId(found.fingerprint).toLowerCase(),
      fingerprint: found.fingerprint.toLowerCase(),
      userIds: entry.userIds.map((u) => ({
        name: u.userId.replace(/\s*<[^<>]*>\s*$/, ''),
        email: Email.fromUserId(u.userId),
        verified: true,
      })),
      created: new Date(entry.created).toISOString(),
      algorithm: entry.algorithmName,
      keySize: entry.bits,
      publicKeyArmored: found.armored,
    };
  });

  router.post('/key', async (ctx) => {
    const body = uploadSchema.safeParse(await readJson(ctx, bodyLimit));
    if (!body.success) throw invalidInput('Send {"publicKeyArmored": "...", "emails": ["..."]}.');
    const [result, ...more] = await directory.publishing.upload(body.data.publicKeyArmored, clientOf(ctx));
    if (!result || more.length > 0) throw invalidInput('Upload one key at a time.');
    const wanted = body.data.emails?.map((e) => Email.parse(e)) ?? (Object.keys(result.status) as Email[]);
    await directory.publishing.requestVerify(result.token, wanted, clientOf(ctx));
    ctx.status = 201;
  });

  // Mails a removal link to each published address of the key (or to the address): Mailvelope clients name the
  // key by its 16-digit key id.
  router.delete('/key', async (ctx) => {
    await directory.unpublishing.request(queryFrom(ctx.query), clientOf(ctx));
    ctx.status = 202;
  });

  return router;
}
