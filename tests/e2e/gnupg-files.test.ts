import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportForGnuPG } from '../../shared/openpgp';
import { makeTestKey, type TestKey } from '../fixtures/test-keys';
import { createGnuPGHome, type GnuPGHome } from '../interop/gnupg';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { fileParts } from './harness/multipart';
import { pickFiles } from './harness/pick-files';
import { startStaticServer, type StaticServer } from './harness/static-server';

// "Files GnuPG can open", per site: a key made in Keyward advertises SEIPDv2, which GnuPG 2.2 and 2.4 cannot read,
// so by default its owner cannot open their own uploads in GnuPG even after "Export for GnuPG". With the site's
// option on, uploads there are SEIPDv1 and real GnuPG opens them with the exported key; without it, GnuPG refuses.
let ext: LaunchedExtension;
let site: StaticServer;
let key: TestKey;
let gnupg: GnuPGHome;

const ok = async (type: string, payload: unknown) => {
  const reply = (await askBackground(ext, type, payload)) as { ok: boolean; value?: unknown };
  expect(reply, type).toMatchObject({ ok: true });
  return reply.value;
};

beforeAll(async () => {
  site = await startStaticServer();
  ext = await launchExtension();
  gnupg = await createGnuPGHome();
  key = await makeTestKey({ name: 'Gail', email: 'gail@example.org', date: new Date() });
  await ok('vault.import', { data: key.privateKeyArmored, passphrase: key.passphrase });
  await ok('sites.setEnabled', { origin: site.origin, enabled: true });
  const exported = await exportForGnuPG(key.privateKeyArmored, key.passphrase);
  await gnupg.gpg(['--import'], { input: exported, passphrase: key.passphrase });
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
  await gnupg?.dispose();
});

/** The user picks `name` on the site; resolves to the ciphertext the site received. */
async function upload(name: string, plaintext: Buffer): Promise<Buffer> {
  const before = site.uploads.length;
  const page = await ext.context.newPage();
  await page.goto(site.url('/upload/fetch-formdata.html'));
  await pickFiles(ext.context, page, () => page.click('#file'), {
    name,
    mimeType: 'text/plain',
    buffer: plaintext,
  });
  const uploads = await site.waitForUploads(before + 1, 20_000);
  const last = uploads.at(-1)!;
  const [part] = fileParts(last.body, last.headers['content-type']);
  expect(part?.filename).toBe(`${name}.pgp`);
  await page.close();
  return part!.data;
}

describe('files GnuPG can open (Chromium, real GnuPG)', () => {
  it('by default an upload to a Keyward key is SEIPDv2, which GnuPG refuses', async () => {
    const plaintext = Buffer.from(`modern ${'m'.repeat(500)}\n`);
    const ciphertext = await upload('modern.txt', plaintext);
    const opened = await gnupg.gpg(['--decrypt'], {
      input: ciphertext,
      passphrase: key.passphrase,
      allowFailure: true,
    });
    expect(opened.code).not.toBe(0);
    expect(opened.stdout.includes(plaintext)).toBe(false);
  });

  it("with the site's option on, GnuPG opens the upload with the key exported for it, signature and all", async () => {
    await ok('sites.update', { origin: site.origin, forGnuPG: true });
    const state = (await ok('sites.get', { origin: site.origin })) as { forGnuPG: boolean };
    expect(state.forGnuPG).toBe(true);
    const plaintext = Buffer.from(`for gnupg ${'g'.repeat(500)}\n`);
    const ciphertext = await upload('for-gnupg.txt', plaintext);
    const opened = await gnupg.gpg(['--decrypt'], { input: ciphertext, passphrase: key.passphrase });
    expect(opened.stdout.equals(plaintext)).toBe(true);
    expect(opened.stderr.toString()).toMatch(/Good signature from "Gail <gail@example.org>"/);
  });
});
