import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { sitesDir } from './paths';

/** A request with a body (POST/PUT) as the server received it: what an upload test checks. */
export interface RecordedUpload {
  readonly method: string;
  /** Path and query, e.g. `/upload?x=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Any request the server got (GET, POST, beacons…), as it arrived: what leak checks search. */
export type RecordedRequest = RecordedUpload;

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `origin` + path */
  url(path: string): string;
  /** Every POST/PUT so far, in arrival order. */
  readonly uploads: readonly RecordedUpload[];
  /** Every request so far, whatever its method, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Resolves once at least `count` uploads arrived (default 1); rejects after `timeoutMs`. */
  waitForUploads(count?: number, timeoutMs?: number): Promise<readonly RecordedUpload[]>;
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.xhtml': 'application/xhtml+xml',
  '.pgp': 'application/pgp-encrypted',
};

/** Serves `root` (default tests/e2e/sites/) on 127.0.0.1 at a free port and records uploads. */
export async function startStaticServer(root: string = sitesDir): Promise<StaticServer> {
  const rootDir = resolve(root);
  const uploads: RecordedUpload[] = [];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    requests.push({ method: req.method ?? '?', url: req.url ?? '/', headers: req.headers, body });
    if (req.method === 'OPTIONS') {
      // A page's cross-origin request asks first; it is answered yes, so the request itself comes too.
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, PUT',
        'access-control-allow-headers': '*',
      });
      res.end();
      return;
    }
    if (req.method === 'POST' || req.method === 'PUT') {
      uploads.push({ method: req.method, url: req.url ?? '/', headers: req.headers, body });
      waiters.forEach((wake) => wake());
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ received: body.length }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, POST, PUT' }).end();
      return;
    }
    if (req.url?.startsWith('/never')) {
      // A page that never arrives (a frame whose load a hostile page stops to keep its first, blank document).
      return;
    }
    if (req.url === '/favicon.ico') {
      // Browsers ask for it on every page; a 404 would show up as a console error in every test.
      res.writeHead(204).end();
      return;
    }
    const file = await findFile(rootDir, new URL(req.url ?? '/', 'http://x').pathname);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = contentTypes[extname(file)] ?? 'application/octet-stream';
    const content = await readFile(file);
    res.writeHead(200, {
      'content-type': type,
      'content-length': content.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : content);
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;

  return {
    origin,
    url: (path) => origin + (path.startsWith('/') ? path : `/${path}`),
    uploads,
    requests,
    waitForUploads(count = 1, timeoutMs = 10_000) {
      return new Promise((done, fail) => {
        const check = () => {
          if (uploads.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          done([...uploads]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`Expected ${count} upload(s) within ${timeoutMs} ms, got ${uploads.length}.`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The file a URL path names inside root (a folder gives its index.html); nothing outside root. */
async function findFile(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  let file = resolve(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    return (await stat(file).catch(() => undefined))?.isFile() ? file : undefined;
  }
  return info?.isFile() ? file : undefined;
}
