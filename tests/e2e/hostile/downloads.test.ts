import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptFile } from '../../../shared/openpgp';
import { readAllBytes } from '../../../shared/openpgp/byte-streams';
import { FIXTURE_PASSPHRASE, readFixture } from '../../fixtures/test-keys';
import { askBackgroundOk } from '../harness/ask-background';
import { launchExtension, type LaunchedExtension } from '../harness/launch-extension';

// Decrypt on download driven by the page: a hostile site makes files encrypted to the user (it can: the user's
// public key is public), starts their download itself, names them so that they run when opened, or has another
// site start the download so that Keyward's second fetch would carry cookies the browser withheld. Keyward must
// decrypt only when the user asks in its own page, save under safe names, and never send such cookies.
let ext: LaunchedExtension;
let site: Server;
let loopSite: Server;
let evil: Server;
let siteOrigin: string;
let evilOrigin: string;
let loopOrigin: string;
let downloads: string;
const requests: { url: string; cookie: string }[] = [];
const files = new Map<string, Buffer>();

async function encryptedTo(innerName: string, text: string): Promise<Buffer> {
  const encrypted = await encryptFile({
    plaintext: Buffer.from(text),
    recipients: [readFixture('gnupg-ed25519.pub')],
    date: new Date(),
    filename: innerName,
  });
  return Buffer.from(await readAllBytes(encrypted.ciphertext));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const html = (body: string) => `<!doctype html><meta charset="utf-8"><body>${body}</body>`;

beforeAll(async () => {
  downloads = await mkdtemp(join(tmpdir(), 'keyward-hostile-downloads-'));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const cookie = req.headers.cookie ?? '';
    requests.push({ url: req.url ?? '', cookie });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/login') {
      res.writeHead(200, {
        'set-cookie': 'session=strict-s3cret; Path=/; SameSite=Strict',
        'content-type': 'text/html',
      });
      res.end(html('logged in'));
    } else if (url.pathname.startsWith('/files/')) {
      const name = decodeURIComponent(url.pathname.slice('/files/'.length));
      if (url.searchParams.has('strict') && !cookie.includes('strict-s3cret')) {
        res.writeHead(403).end('log in first');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' });
      res.end(files.get(name));
    } else if (url.pathname === '/made') {
      // The page fetches files encrypted to the user and starts their downloads itself, without a click.
      const names = url.searchParams.getAll('name');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        html(`<script>
          addEventListener('load', async () => {
            for (const name of ${JSON.stringify(names)}) {
              const blob = await (await fetch('/files/' + encodeURIComponent(name))).blob();
              const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: name });
              document.body.append(link);
              link.click();
            }
            document.title = 'started';
          });
        </script>`),
      );
    } else res.writeHead(404).end();
  };
  site = createServer(handle);
  siteOrigin = await listen(site);
  loopSite = createServer(handle); // another opted-in site, for the loop (offers are counted per site)
  loopOrigin = await listen(loopSite);
  evil = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '';
    if (req.url?.startsWith('/redirect')) {
      res.writeHead(302, { location: target }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html(`<a id="go" href="${target}">Your invoice</a>`));
  });
  evilOrigin = (await listen(evil)).replace('127.0.0.1', 'localhost');
  ext = await launchExtension({ downloadsDir: downloads });
  await askBackgroundOk(ext, 'vault.import', {
    data: readFixture('gnupg-ed25519.sec'),
    passphrase: FIXTURE_PASSPHRASE,
  });
  await askBackgroundOk(ext, 'sites.setEnabled', { origin: siteOrigin, enabled: true });
  await askBackgroundOk(ext, 'sites.setEnabled', { origin: loopOrigin, enabled: true });
}, 60_000);

afterAll(async () => {
  await ext?.close();
  await Promise.all([site, loopSite, evil].map((s) => new Promise((resolve) => s?.close(resolve))));
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

/** Keyward's decrypt tabs opened while `act` ran (and a moment after). */
async function offersDuring(act: () => Promise<unknown>, waitMs = 1500): Promise<Page[]> {
  const tabs: Page[] = [];
  const onPage = (page: Page) => {
    if (page.url().includes('/decrypt.html')) tabs.push(page);
  };
  ext.context.on('page', onPage);
  await act();
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  ext.context.off('page', onPage);
  return tabs;
}

describe('decrypt on download, a hostile page (Chromium)', () => {
  it('attack: a page starting a download of a file encrypted to the user, without a gesture: offered, not decrypted', async () => {
    files.set('quiet.pdf.pgp', await encryptedTo('quiet.pdf', 'QUIET-PLAINTEXT'));
    const before = await readdir(downloads);
    const page = await ext.context.newPage();
    const [tab] = await offersDuring(() => page.goto(`${siteOrigin}/made?name=quiet.pdf.pgp`));
    expect(tab, 'Keyward offers the download in its own page').toBeDefined();
    await tab!.getByRole('button', { name: 'Decrypt and save' }).waitFor();
    await tab!.waitForTimeout(1000);
    // Nothing was decrypted or saved: the user has not asked.
    expect((await readdir(downloads)).filter((f) => !before.includes(f))).toEqual([]);
    expect(await tab!.locator('#result').isHidden()).toBe(true);
    await tab!.getByRole('button', { name: 'Decrypt and save' }).click();
    await expect.poll(() => readdir(downloads), { timeout: 15_000 }).toContain('quiet.pdf');
    expect((await readFile(join(downloads, 'quiet.pdf'))).toString()).toBe('QUIET-PLAINTEXT');
    await tab!.close();
    await page.close();
  });

  it.each([
    // The browser may add an extension for the file's type: the point is that the name does not start with a dot.
    ['a hidden dot-file', '.bashrc', /^bashrc(\.txt)?$/, false],
    ['a path out of the downloads folder', '../../../../tmp/evil.txt', 'evil.txt', false],
    ['a name reversed with a right-to-left override', 'invoice\u202efdp.exe', 'invoicefdp.exe', true],
    ['a desktop launcher', 'run-me.desktop', 'run-me.desktop', true],
    ['a web page that runs its scripts when opened', 'invoice.html', 'invoice.html', true],
  ])('attack: a name from inside the message: %s', async (_what, inner, expected, risky) => {
    const outer = `${String(expected).replace(/\W/g, '')}-${Date.now()}.pgp`;
    files.set(outer, await encryptedTo(inner, `content of ${inner}`));
    const before = await readdir(downloads);
    const page = await ext.context.newPage();
    const [tab] = await offersDuring(() => page.goto(`${siteOrigin}/made?name=${encodeURIComponent(outer)}`));
    await tab!.getByRole('button', { name: 'Decrypt and save' }).click();
    await tab!.getByText('Decrypted with').or(tab!.getByText('Saved ')).first().waitFor({ timeout: 15_000 });
    if (risky) {
      // Not saved by itself: the user is told what kind of file it is, and saves it with a click of their own.
      expect(await tab!.locator('#risky').textContent()).toContain('can run a program or scripts');
      await tab!.waitForTimeout(500);
      expect((await readdir(downloads)).filter((f) => !before.includes(f))).toEqual([]);
      await tab!.locator('#save').click();
    }
    const added = async () =>
      (await readdir(downloads)).filter((f) => !before.includes(f) && !f.endsWith('.crdownload'));
    await expect.poll(added, { timeout: 15_000 }).toHaveLength(1);
    const [saved] = await added();
    if (typeof expected === 'string') expect(saved).toBe(expected);
    else expect(saved).toMatch(expected);
    await tab!.close();
    await page.close();
  });

  it.each([
    ['a link on another site', (to: string) => `${evilOrigin}/?to=${encodeURIComponent(to)}`],
    [
      'a redirect from another site',
      (to: string) =>
        `${evilOrigin}/?to=${encodeURIComponent(`${evilOrigin}/redirect?to=${encodeURIComponent(to)}`)}`,
    ],
  ])(
    'attack: cookie theft: %s starts a download of the opted-in site: Keyward does not fetch it with cookies the browser withheld',
    async (_what, pageUrl) => {
      files.set('statement.pdf.pgp', await encryptedTo('statement.pdf', 'STATEMENT'));
      const page = await ext.context.newPage();
      await page.goto(`${siteOrigin}/login`); // the user is logged in to the opted-in site (a SameSite=Strict cookie)
      const seen = requests.length;
      await page.goto(pageUrl(`${siteOrigin}/files/statement.pdf.pgp?strict`));
      const tabs = await offersDuring(() => page.click('#go'), 2500);
      expect(tabs).toEqual([]); // not taken over: the browser's own download stands
      const fileRequests = requests.slice(seen).filter((r) => r.url.startsWith('/files/'));
      expect(fileRequests.length).toBeGreaterThan(0); // the browser did ask, itself…
      expect(fileRequests.filter((r) => r.cookie.includes('strict-s3cret'))).toEqual([]); // …without the cookie
      await page.close();
    },
  );

  it('attack: a page starting downloads in a loop opens a few offers, not a tab per download', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `loop-${i}.pgp`);
    for (const name of names) files.set(name, await encryptedTo(name, name));
    const page = await ext.context.newPage();
    const tabs = await offersDuring(
      () => page.goto(`${loopOrigin}/made?${names.map((n) => `name=${n}`).join('&')}`),
      4000,
    );
    expect(tabs).toHaveLength(10); // ten offers a minute, then the site's downloads are saved as they are
    for (const tab of tabs) await tab.close();
    await page.close();
  });
});
