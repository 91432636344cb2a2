import Router from '@koa/router';
import type { Context } from 'koa';
import { Email, Fingerprint } from '../../shared/identity';
import type { ErrorPage } from '../http/error-mapper';
import { readForm } from '../http/read-body';
import { clientOf } from '../http/client-address';
import type { Directory } from './directory';
import { MAX_KEYS_PER_KEYRING, unpublishedAddresses } from './publish';
import { isKeywardError } from '../../shared/errors';
import { html, type Html, page } from './html-page';
import { parseSearch } from './query-parsing';

/**
 * The few pages people see: home (search, upload), verify (a button that confirms with POST, because mail
 * scanners follow GET links) and manage (remove an address). No scripts; every form posts to this server.
 */
export function pageRoutes(directory: Directory, bodyLimit: number, baseUrl: string): Router {
  const router = new Router();
  // Links and form actions carry BASE_URL's path, so the pages work behind a proxy that mounts them under a prefix.
  const base = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const render = (ctx: Context, title: string, body: Html, status = 200) => {
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = page(title, body, base);
  };
  const message = (kind: 'ok' | 'err', text: string) =>
    html`<section class="${kind}"><p>${text}</p></section>`;

  // People get an HTML page for their mistakes (an expired link, a malformed key), not JSON; the error mapper
  // (http/error-mapper.ts) answers with it.
  router.use(async (ctx, next) => {
    ctx.state.errorPage = ((text) => page('Sorry', message('err', text), base)) satisfies ErrorPage;
    await next();
  });

  router.get('/', (ctx) => {
    render(
      ctx,
      'Home',
      html`<section>
          <form method="get" action="${base}/search">
            <label for="q">Find a key</label>
            <input id="q" name="q" placeholder="alice@example.org or fingerprint" required /><button>
              Search
            </button>
          </form>
        </section>
        <section>
          <form method="post" action="${base}/upload">
            <label for="keytext">Publish your public key</label>
            <textarea
              id="keytext"
              name="keytext"
              placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----"
              required
            ></textarea>
            <button>Upload</button>
          </form>
        </section>`,
    );
  });

  router.get('/search', async (ctx) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q : '';
    try {
      const found = await directory.lookup.find(parseSearch(q), clientOf(ctx));
      const fpr = found.fingerprint;
      render(
        ctx,
        'Key found',
        html`<section class="ok">
          <p>
            Found key <code>${Fingerprint.format(fpr)}</code>${
              found.publishedEmails.length ? html` for ${found.publishedEmails.join(', ')}` : ''
            }.
          </p>
          <p><a href="${base}/vks/v1/by-fingerprint/${fpr}">Download it</a></p>
        </section>`,
      );
    } catch (e) {
      if (!isKeywardError(e) || !['not_found', 'invalid_input'].includes(e.code)) throw e;
      render(ctx, 'Not found', message('err', e.code === 'not_found' ? 'No key found.' : e.message), 404);
    }
  });

  router.post('/upload', async (ctx) => {
    const keytext = (await readForm(ctx, bodyLimit)).get('keytext') ?? '';
    const results = await directory.publishing.upload(keytext, clientOf(ctx), MAX_KEYS_PER_KEYRING);
    for (const r of results) {
      await directory.publishing.requestVerify(r.token, unpublishedAddresses(r), clientOf(ctx));
    }
    const addresses = results.flatMap((r) => Object.keys(r.status));
    render(
      ctx,
      'Uploaded',
      message(
        'ok',
        `Key uploaded. We sent a verification link to each unconfirmed address (${addresses.join(', ')}). ` +
          'An address is published only once its link is confirmed.',
      ),
    );
  });

  const confirmPage = (action: string, what: string) =>
    html`<section>
      <p>${what}</p>
      <form method="post" action="${action}"><button>Confirm</button></form>
    </section>`;

  // Asking first (a mail scanner that follows links must not confirm), and saying what: the address and the key.
  router.get('/verify/:token', async (ctx) => {
    const { email, fingerprint } = await directory.publishing.pending(ctx.params.token ?? '');
    render(
      ctx,
      'Confirm',
      confirmPage(
        `${base}/verify/${ctx.params.token ?? ''}`,
        `Publish ${email} with the key ${Fingerprint.format(fingerprint)}? Anyone will then be able to find this ` +
          'key by your address and encrypt files to you with it.',
      ),
    );
  });

  router.post('/verify/:token', async (ctx) => {
    const { email, fingerprint } = await directory.publishing.confirm(ctx.params.token ?? '');
    render(
      ctx,
      'Published',
      message('ok', `${email} is now published with key ${Fingerprint.format(fingerprint)}.`),
    );
  });

  router.get('/manage', (ctx) => {
    render(
      ctx,
      'Remove an address',
      html`<section>
        <form method="post" action="${base}/manage">
          <label for="email">Your e-mail address</label>
          <input id="email" name="email" type="email" required /><button>Send me a removal link</button>
        </form>
      </section>`,
    );
  });

  router.post('/manage', async (ctx) => {
    const raw = (await readForm(ctx, bodyLimit)).get('email') ?? '';
    await directory.unpublishing.request({ kind: 'email', email: Email.parse(raw) }, clientOf(ctx));
    // The same answer whether or not the address is known (no enumeration).
    render(
      ctx,
      'Check your mail',
      message('ok', 'If this address is published, a removal link is on its way to it.'),
    );
  });

  router.get('/manage/:token', async (ctx) => {
    const { email, fingerprint } = await directory.unpublishing.pending(ctx.params.token ?? '');
    render(
      ctx,
      'Confirm',
      confirmPage(
        `${base}/manage/${ctx.params.token ?? ''}`,
        `Remove ${email} (key ${Fingerprint.format(fingerprint)}) from this keyserver?`,
      ),
    );
  });

  router.post('/manage/:token', async (ctx) => {
    const { email } = await directory.unpublishing.confirm(ctx.params.token ?? '');
    render(ctx, 'Removed', message('ok', `${email} is no longer published.`));
  });

  return router;
}
