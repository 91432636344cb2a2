import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { startStaticServer, type StaticServer } from './harness/static-server';

// The harness's own promises, checked in the real browser: later tests rely on them.
let server: StaticServer;
beforeAll(async () => {
  server = await startStaticServer();
});
afterAll(() => server?.close());

describe('static server', () => {
  it('serves the sample sites and nothing outside them', async () => {
    const index = await fetch(server.url('/'));
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('Keyward e2e sample sites');
    expect((await fetch(server.url('/missing.html'))).status).toBe(404);
    expect((await fetch(server.url('/%2e%2e/harness/paths.ts'))).status).toBe(404);
    expect((await fetch(server.url('/..%2f..%2fpackage.json'))).status).toBe(404);
  });

  it('records what a native form submit uploads', async () => {
    const ext = await launchExtension();
    try {
      const page = await ext.context.newPage();
      await page.goto(server.url('/plain-form.html'));
      await page.setInputFiles('#file', {
        name: 'note.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('hi'),
      });
      await Promise.all([page.waitForURL(server.url('/upload')), page.click('button[type=submit]')]);
      const [upload] = await server.waitForUploads(1);
      expect(upload!.url).toBe('/upload');
      expect(upload!.headers['content-type']).toMatch(/^multipart\/form-data/);
      expect(upload!.body.toString()).toMatch(/filename="note\.txt"[\s\S]*\r\n\r\nhi\r\n/);
      expect(ext.errors()).toEqual([]);
    } finally {
      await ext.close();
    }
  });
});

describe('launchExtension', () => {
  let downloads: string | undefined;
  let ext: LaunchedExtension | undefined;
  afterEach(async () => {
    await ext?.close();
    if (downloads !== undefined) await rm(downloads, { recursive: true, force: true });
  });

  it('lets Chromium save downloads into the given folder without a prompt', async () => {
    downloads = await mkdtemp(join(tmpdir(), 'keyward-downloads-'));
    ext = await launchExtension({ downloadsDir: downloads });
    const page = await ext.context.newPage();
    await page.goto(server.url('/download.html'));
    await page.click('#hello');
    await expect.poll(() => readdir(downloads!), { timeout: 10_000 }).toEqual(['hello.txt']);
    expect(await readFile(join(downloads, 'hello.txt'), 'utf8')).toMatch(/^Hello from the Keyward/);
  });

  it('collects console errors and uncaught errors of the service worker and pages', async () => {
    ext = await launchExtension();
    await ext.serviceWorker.evaluate(() => console.error('worker complains'));
    const page = await ext.openExtensionPage('popup.html');
    await page.evaluate(() => setTimeout(() => console.error('page complains')));
    await page.evaluate(() =>
      setTimeout(() => {
        throw new Error('page throws');
      }),
    );
    await expect
      .poll(() => ext!.errors())
      .toEqual([
        `console error in ${ext.extensionUrl('background.js')}: worker complains`,
        `console error in ${ext.extensionUrl('popup.html')}: page complains`,
        `uncaught in ${ext.extensionUrl('popup.html')}: page throws`,
      ]);
  });

  it('removes the profile folder on close', async () => {
    ext = await launchExtension();
    const dir = ext.profileDir;
    expect(await readdir(dir)).not.toEqual([]);
    await ext.close();
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
});
