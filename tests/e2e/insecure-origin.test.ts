import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { askBackground } from './harness/ask-background';
import { extensionWithHostPermissions } from './harness/extension-copy';
import { pickFiles } from './harness/pick-files';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { expectFixtureCiphertext } from './harness/fixture-upload';
import { startStaticServer, type StaticServer } from './harness/static-server';

// A plain http:// site that is not a secure context (127.0.0.1 and localhost count as secure, so the site is named
// insecure.test and resolved to 127.0.0.1). There a content script has no crypto.subtle: had the interceptor
// imported any crypto, it would die at load and the page would get the plaintext.
let ext: LaunchedExtension;
let site: StaticServer;
let copy: Awaited<ReturnType<typeof extensionWithHostPermissions>>;
let origin: string;

beforeAll(async () => {
  site = await startStaticServer();
  origin = site.origin.replace('127.0.0.1', 'insecure.test');
  copy = await extensionWithHostPermissions(['http://insecure.test/*']);
  ext = await launchExtension({
    extensionDir: copy.dir,
    args: ['--host-resolver-rules=MAP insecure.test 127.0.0.1'],
  });
  const send = (type: string, payload: unknown) => askBackground(ext, type, payload);
  expect(
    await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
  ).toMatchObject({ ok: true });
  expect(await send('sites.setEnabled', { origin, enabled: true })).toMatchObject({ ok: true });
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
  await copy?.remove();
});

it('a plain http:// site (no secure context, no crypto.subtle) still receives only ciphertext', async () => {
  const page = await ext.context.newPage();
  await page.goto(`${origin}/upload/fetch-formdata.html`);
  expect(await page.evaluate(() => [isSecureContext, typeof crypto.subtle])).toEqual([false, 'undefined']);
  const plaintext = Buffer.from(`sent over plain http ${'y'.repeat(500)}`);
  await pickFiles(ext.context, page, () => page.click('#file'), {
    name: 'insecure.txt',
    mimeType: 'text/plain',
    buffer: plaintext,
  });
  const [upload] = await site.waitForUploads(1, 20_000);
  await expectFixtureCiphertext(upload!, 'insecure.txt', plaintext);
  expect(ext.errors()).toEqual([]);
  await page.close();
});
