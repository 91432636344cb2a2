import Router from '@koa/router';
import { invalidInput } from '../../shared/errors';
import { addDirectRoutes, type DirectRoute } from '../http/direct-routes';
import { readForm } from '../http/read-body';
import { clientOf } from '../http/client-address';
import type { Directory } from './directory';
import { MAX_KEYS_PER_KEYRING, unpublishedAddresses } from './publish';
import { humanIndex, machineReadableIndex } from './hkp-index';
import { parseSearch } from './query-parsing';
import { sendKeyArmored } from './send-key';

/** HKP lookups: served by directRoutes (app.ts), and by the router below in every other form. */
export function hkpLookups(directory: Directory): DirectRoute[] {
  return [
    {
      path: '/pks/lookup',
      async handle(ctx) {
        // Plain URLSearchParams: the hot lookup path, and HKP parameters are never repeated or nested.
        const params = new URLSearchParams(ctx.querystring);
        const op = params.get('op') ?? 'get';
        const search = params.get('search');
        if (!['get', 'index', 'vindex'].includes(op)) {
          // draft-shaw-openpgp-hkp §3.1.3: an unknown operation is 501 Not Implemented.
          ctx.status = 501;
          ctx.body = {
            error: `Operation ${JSON.stringify(op.slice(0, 20))} is not supported.`,
            code: 'not_implemented',
          };
          return;
        }
        if (!search) throw invalidInput('The search parameter is required.');
        const query = parseSearch(search);
        const machineReadable = (params.get('options') ?? '').split(',').includes('mr');
        if (op === 'get') {
          sendKeyArmored(ctx, await directory.lookup.find(query, clientOf(ctx)));
          return;
        }
        const entry = await directory.lookup.index(query, clientOf(ctx));
        ctx.type = 'text/plain';
        ctx.body = machineReadable ? machineReadableIndex([entry]) : humanIndex([entry]);
      },
    },
  ];
}

/** HKP (draft-shaw-openpgp-hkp): GnuPG's --send-keys, --recv-keys, --search-keys; `sq`; Thunderbird's fallback. */
export function hkpRoutes(directory: Directory, bodyLimit: number): Router {
  const router = new Router({ prefix: '/pks' });
  addDirectRoutes(router, hkpLookups(directory));

  // GnuPG counts only 200 as success; mailvelope/keyserver's 201 made `gpg --send-keys` fail with "No data".
  router.post('/add', async (ctx) => {
    const keytext = (await readForm(ctx, bodyLimit)).get('keytext');
    if (!keytext) throw invalidInput('The keytext form field is required.');
    const results = await directory.publishing.upload(keytext, clientOf(ctx), MAX_KEYS_PER_KEYRING);
    // HKP clients have no request-verify step: a key seen for the first time gets its verification mails now.
    for (const r of results) {
      if (!r.isNew) continue;
      await directory.publishing.requestVerify(r.token, unpublishedAddresses(r), clientOf(ctx));
    }
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = `Uploaded ${results.map((r) => r.fingerprint).join(', ')}. New addresses receive a verification mail.\n`;
  });

  return router;
}
