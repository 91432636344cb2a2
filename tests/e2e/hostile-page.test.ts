import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { askBackground } from './harness/ask-background';
import { keywardNoticeText } from './harness/keyward-notice';
import { pickFiles } from './harness/pick-files';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { startStaticServer, type StaticServer } from './harness/static-server';

// A hostile page on a site the user opted in: it tries every way in that does not need a browser bug. None of
// them yields a key, a passphrase, the security phrase, Keyward's storage or a decryption.
// (Racing the interceptor and replacing prototypes: upload.test.ts.)
let ext: LaunchedExtension;
let site: StaticServer;
let securityPhrase: string;

beforeAll(async () => {
  site = await startStaticServer();
  ext = await launchExtension();
  const send = (type: string, payload: unknown) => askBackground(ext, type, payload);
  expect(
    await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
  ).toMatchObject({ ok: true });
  expect(await send('sites.setEnabled', { origin: site.origin, enabled: true })).toMatchObject({ ok: true });
  securityPhrase = ((await send('settings.get', {})) as { value: { securityPhrase: string } }).value
    .securityPhrase;
});
afterAll(async () => {
  await ext?.close();
  await site?.close();
});

async function hostilePage() {
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  return page;
}

describe('a hostile page (Chromium)', () => {
  it('message forgery: the page has no channel to the extension', async () => {
    const page = await hostilePage();
    const result = await page.evaluate(async (id) => {
      const chrome = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome;
      const send = chrome?.runtime?.sendMessage as ((id: string, m: unknown) => Promise<unknown>) | undefined;
      if (typeof send !== 'function') return 'no runtime';
      try {
        return JSON.stringify(await send(id, { type: 'vault.export', payload: { part: 'private' } }));
      } catch (e) {
        return `refused: ${String(e)}`;
      }
    }, ext.extensionId);
    expect(result).toMatch(/^(no runtime|refused)/);
    await page.close();
  });

  it("framing or fetching Keyward's pages (clickjacking, reading them) is blocked", async () => {
    const page = await hostilePage();
    const fetched = await page.evaluate(async (url) => {
      try {
        return (await fetch(url)).status;
      } catch {
        return 'blocked';
      }
    }, ext.extensionUrl('options.html'));
    expect(fetched).toBe('blocked');
    const framed = await page.evaluate(async (url) => {
      const frame = Object.assign(document.createElement('iframe'), { src: url });
      document.body.append(frame);
      await new Promise((r) => setTimeout(r, 500));
      try {
        return frame.contentDocument?.body?.innerText ?? 'no access';
      } catch {
        return 'no access';
      }
    }, ext.extensionUrl('decrypt.html'));
    expect(framed).toBe('no access');
    // And the frame really did not load the page (Chromium shows its own error page instead).
    const frames = page.frames().filter((f) => f.url().startsWith('chrome-extension://'));
    for (const frame of frames) {
      await expect(frame.evaluate(() => document.getElementById('file') !== null)).rejects.toThrow();
    }
    await page.close();
  });

  it("dialog faking: the page cannot read Keyward's notice or learn the security phrase from it", async () => {
    const page = await hostilePage();
    await pickFiles(ext.context, page, () => page.click('#file'), {
      name: 'phrase.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('x'),
    });
    await expect.poll(() => keywardNoticeText(ext.context, page)).toContain(securityPhrase);
    const seen = await page.evaluate((phrase) => {
      const notices = [...document.querySelectorAll('*')].filter((e) => e.tagName.startsWith('KEYWARD'));
      return {
        count: notices.length,
        openRoots: notices.filter((n) => n.shadowRoot !== null).length,
        text: document.documentElement.innerText + document.documentElement.outerHTML,
        found: (window as unknown as { find(text: string, ...flags: boolean[]): boolean }).find(
          phrase,
          false,
          false,
          true,
        ),
      };
    }, securityPhrase);
    expect(seen.count).toBeGreaterThan(0); // the notice is there...
    expect(seen.openRoots).toBe(0); // ...behind a closed shadow root
    expect(seen.text).not.toContain(securityPhrase);
    expect(seen.found).toBe(false); // window.find() searches closed shadow roots, not other origins' frames
    await page.close();
  });

  it("storage: nothing of Keyward's is in the page's reach", async () => {
    const page = await hostilePage();
    const reach = await page.evaluate(async () => {
      const chrome = (globalThis as { chrome?: { storage?: unknown } }).chrome;
      const databases = (await indexedDB.databases()).map((d) => d.name);
      return { storage: typeof chrome?.storage, local: Object.keys(localStorage), databases };
    });
    expect(reach).toEqual({ storage: 'undefined', local: [], databases: [] });
    await page.close();
  });

  it('had no errors in the extension (the page itself logs its blocked attempts)', () => {
    expect(ext.errors().filter((e) => !e.includes(site.origin))).toEqual([]);
  });
});
