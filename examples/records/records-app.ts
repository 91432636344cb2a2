import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { decrypt, isKeywardError, type Keyward } from 'keyward/node';
import Koa, { type Context } from 'koa';
import type { RecordsDb } from './records-db';
import type { ServiceKey } from './service-key';
import { fetchPersonData, type PersonData } from './third-party-api';

export interface RecordsAppDeps {
  readonly db: RecordsDb;
  readonly keyward: Keyward;
  readonly serviceKey: ServiceKey;
  /** The third-party API new users' data comes from. */
  readonly dataApiUrl: string;
  readonly now?: () => Date;
}

/** A record and its signature: a few kilobytes. Anything much larger is not one of ours. */
const MAX_RELEASE_BYTES = 1024 * 1024;

/** What the record file holds once decrypted (by its owner, or by the service when its owner releases it). */
interface RecordContent {
  recordId: string;
  email: string;
  fetchedAt: string;
  data: PersonData;
}

/**
 * The "records" service. On sign-up it fetches the person's data from the third-party API and stores it only
 * encrypted to the key the person published (looked up by address and pinned by Keyward), signed with the
 * service's own key. Its database never holds the plaintext, so neither its admin nor its backups can read it.
 * The person downloads the record (`.pgp`) and Keyward decrypts it in their browser. To let the service use one
 * record once, the person shares that file with the service's key and hands the copy back (`/release`).
 */
export function createRecordsApp(deps: RecordsAppDeps): Koa {
  const now = deps.now ?? (() => new Date());
  const app = new Koa();
  const router = new Router();

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const [status, message] = failure(error);
      ctx.status = status;
      ctx.body = { error: message };
      if (status >= 500) console.error(error);
    }
  });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = PAGE;
  });

  router.get('/service-key.asc', (ctx) => {
    ctx.type = 'application/pgp-keys';
    ctx.body = deps.serviceKey.publicKey;
  });

  router.post('/signup', async (ctx) => {
    const email = await signupAddress(ctx);
    const data = await fetchPersonData(deps.dataApiUrl, email);
    const id = randomBytes(16).toString('base64url');
    const content: RecordContent = { recordId: id, email, fetchedAt: now().toISOString(), data };
    // Encrypted in memory and stored: the plaintext exists only in this request, never on disk.
    const encrypted = await deps.keyward.encrypt({
      to: [email],
      plaintext: new TextEncoder().encode(JSON.stringify(content, null, 2)),
      filename: 'record.json',
      signWith: deps.serviceKey.unlocked,
    });
    const ciphertext = Buffer.from(await new Response(encrypted.ciphertext).arrayBuffer());
    const recipient = encrypted.recipients[0]!;
    deps.db.insert({
      id,
      email: recipient.email,
      ciphertext,
      recipient: recipient.fingerprint,
      createdAt: now().getTime(),
    });
    if (!ctx.is('application/json')) {
      // The sign-up form: on to the record's own page, with its download link.
      ctx.status = 303;
      ctx.redirect(`/records/${id}`);
      return;
    }
    ctx.status = 201;
    ctx.body = {
      id,
      encryptedFor: { userId: recipient.userId, fingerprint: recipient.fingerprint },
      download: `/records/${id}/record.json.pgp`,
    };
  });

  router.get('/records/:id', (ctx) => {
    const record = deps.db.get(ctx.params.id ?? '');
    if (!record) throw notFound();
    ctx.type = 'html';
    ctx.body = recordPage(record.id);
  });

  router.get('/records/:id/record.json.pgp', (ctx) => {
    const record = deps.db.get(ctx.params.id ?? '');
    if (!record) throw notFound();
    ctx.type = 'application/pgp-encrypted';
    ctx.attachment('record.json.pgp');
    // Where the owner can release this record to the service, and the address of the key to share it with:
    // Keyward's decrypt page offers it, looks the key up and shows it, and posts the copy only on the owner's click.
    ctx.set(
      'Link',
      `</records/${record.id}/release>; rel="keyward-release"; address="${deps.serviceKey.address}"`,
    );
    ctx.body = record.ciphertext;
  });

  /**
   * "Release one file": the owner shares the record with the service's key (Keyward's share later adds one key
   * packet; the encrypted content is the one stored here) and posts that copy. The service decrypts it with its
   * own key, checks it is this record as the service made it (its own signature, the record id inside), uses it
   * for this request only and keeps nothing of it. Records nobody released stay unreadable to it.
   */
  router.post('/records/:id/release', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!deps.db.get(id)) throw notFound();
    const copy = await readBody(ctx, MAX_RELEASE_BYTES);
    const opened = await decrypt({
      ciphertext: copy,
      keys: deps.serviceKey.unlocked,
      verificationKeys: [deps.serviceKey.publicKey],
      date: now(),
    }).catch((error: unknown) => {
      if (isKeywardError(error, 'forbidden')) {
        throw httpError(
          403,
          `This copy is not shared with the service. In Keyward's decrypt page, share the record with ` +
            `${deps.serviceKey.address} and send that copy.`,
        );
      }
      throw error;
    });
    const text = await new Response(opened.plaintext).text();
    const ours = (await opened.signatures).some((s) => s.valid);
    const content = ours ? (JSON.parse(text) as RecordContent) : null;
    if (!content || content.recordId !== id) {
      throw httpError(422, 'This is not the record this address names, as the service made it.');
    }
    deps.db.markReleased(id, now().getTime());
    ctx.body = { recordId: id, usedOnce: true, summary: summarize(content.data) };
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** What the service does with a released record: here, a figure from it. Nothing of it is stored. */
function summarize(data: PersonData): { accounts: number; totalBalance: number } {
  const accounts = Array.isArray(data.accounts) ? (data.accounts as { balance?: unknown }[]) : [];
  const total = accounts.reduce((sum, a) => sum + (typeof a.balance === 'number' ? a.balance : 0), 0);
  return { accounts: accounts.length, totalBalance: Math.round(total * 100) / 100 };
}

async function signupAddress(ctx: Context): Promise<string> {
  const body = (await readBody(ctx, 4096)).toString('utf8');
  const email = ctx.is('application/json')
    ? (JSON.parse(body) as { email?: unknown }).email
    : new URLSearchParams(body).get('email');
  if (typeof email !== 'string' || email.trim() === '') throw httpError(400, 'An e-mail address is needed.');
  return email.trim();
}

async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw httpError(413, `The body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
const httpError = (status: number, message: string) => new HttpError(status, message);
const notFound = () => httpError(404, 'There is no such record.');

/** Keyward's errors as answers: what the person (or the operator) can do about each. */
function failure(error: unknown): [number, string] {
  if (error instanceof HttpError) return [error.status, error.message];
  if (error instanceof SyntaxError) return [400, 'The request body is not valid JSON.'];
  if (!isKeywardError(error)) return [500, 'Something went wrong.'];
  switch (error.details.reason) {
    case 'key_changed': // the operator compares fingerprints with the person, then accepts or rejects (admin.ts)
      return [409, `${error.message} The service will not store anything for this address until then.`];
    case 'key_unusable':
      return [422, error.message];
    case 'not_found':
      return [422, `${error.message} Publish your key with Keyward first, then sign up again.`];
  }
  switch (error.code) {
    case 'not_found':
      return [422, `${error.message} Publish your key with Keyward first, then sign up again.`];
    case 'invalid_input':
      return [400, error.message];
    case 'forbidden':
      return [403, error.message];
    case 'too_large':
      return [413, error.message];
    default:
      return [503, 'A key source or the keyring is unavailable; try again later.'];
  }
}

/** A record's page: its download link (the id is base64url, safe in HTML and URLs as it is). */
function recordPage(id: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Your record</title>
<h1>Your record</h1>
<p>It is stored encrypted to your key. Download it on this site with Keyward to read it; from Keyward's decrypt page
you can also release it to us, once, when you want us to use it.</p>
<p><a id="download" href="/records/${id}/record.json.pgp" download>record.json.pgp</a></p>
</html>
`;
}

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Records</title>
<h1>Records</h1>
<p>Sign up with the address your Keyward key is published for. We fetch your data from our partner and keep it
only encrypted to your key: we cannot read it, and neither can our backups. Download it here on a site you opted in
to with Keyward, and Keyward decrypts it in your browser.</p>
<form method="post" action="/signup">
  <label>E-mail address <input name="email" type="email" required></label>
  <button>Sign up</button>
</form>
<p>Our key, to share one record with us: <a href="/service-key.asc">service-key.asc</a>.</p>
</html>
`;
