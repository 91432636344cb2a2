import { decrypt, decryptKey, readMessage, readPrivateKey, readKey } from 'openpgp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import {
  axeViolations,
  describeViolations,
  horizontalOverflow,
  REFLOW_VIEWPORTS,
} from './harness/accessibility';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { saveScreenshot } from './harness/screenshot';

// "Encrypt a file", Keyward's own page: files to the user (signed), and files with a password Keyward makes for
// someone who has no key, which Keyward's decrypt page and openpgp.js on its own open with that password only.
let ext: LaunchedExtension;
let page: Page;
const first = Buffer.from(`first file ${'1'.repeat(3000)}\n`);
const second = Buffer.from(`second file ${'2'.repeat(5000)}\n`);

beforeAll(async () => {
  ext = await launchExtension();
  await askBackground(ext, 'vault.import', {
    data: readFixture('gnupg-ed25519.sec'),
    passphrase: FIXTURE_PASSPHRASE,
  });
  await askBackground(ext, 'vault.lock', {});
  page = await ext.openExtensionPage('encrypt.html', { viewport: { width: 900, height: 800 } });
});
afterAll(() => ext?.close());

async function expectAccessible(on: Page, state: string): Promise<void> {
  const violations = await axeViolations(on);
  expect(violations, `${state}: ${describeViolations(violations)}`).toEqual([]);
  const viewport = on.viewportSize()!;
  for (const reflow of REFLOW_VIEWPORTS) {
    await on.setViewportSize({ width: reflow.width, height: reflow.height });
    expect(await horizontalOverflow(on), `${state} at ${reflow.name}`).toBe(0);
  }
  await on.setViewportSize(viewport);
}

/** The bytes behind a Save link of the page. */
function saved(on: Page, name: string): Promise<Buffer> {
  return on
    .getByRole('link', { name: `Save ${name}` })
    .evaluate(async (link: HTMLAnchorElement) => [
      ...new Uint8Array(await (await fetch(link.href)).arrayBuffer()),
    ])
    .then((bytes) => Buffer.from(bytes));
}

describe('Encrypt a file (Chromium)', () => {
  it('encrypts files to the user, asking to unlock the key that signs them', async () => {
    await expectAccessible(page, 'empty');
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByText('Choose the files to encrypt first.').waitFor();
    await page.setInputFiles('#files', [
      { name: 'first.txt', mimeType: 'text/plain', buffer: first },
      { name: 'second.txt', mimeType: 'text/plain', buffer: second },
    ]);
    await page.getByText('2 files,').waitFor();
    await page.getByRole('button', { name: 'Encrypt' }).click();
    const field = page.getByLabel(/^Passphrase of/);
    await field.waitFor();
    await expectAccessible(page, 'locked');
    await field.fill(FIXTURE_PASSPHRASE);
    await field.press('Enter');
    await page.getByRole('heading', { name: 'Encrypted' }).waitFor({ timeout: 30_000 });
    await expect(page.locator('#result-for').textContent()).resolves.toMatch(
      /^Encrypted for: you \(GnuPG Ed25519/,
    );
    await saveScreenshot(page, 'encrypt-page-done');
    await expectAccessible(page, 'done');
    const key = await decryptKey({
      privateKey: await readPrivateKey({ armoredKey: readFixture('gnupg-ed25519.sec') }),
      passphrase: FIXTURE_PASSPHRASE,
    });
    for (const [name, original] of [
      ['first.txt.pgp', first],
      ['second.txt.pgp', second],
    ] as const) {
      const opened = await decrypt({
        message: await readMessage({ binaryMessage: await saved(page, name) }),
        decryptionKeys: key,
        verificationKeys: await readKey({ armoredKey: readFixture('gnupg-ed25519.pub') }),
        expectSigned: true,
        format: 'binary',
      });
      expect(Buffer.from(opened.data as Uint8Array).equals(original)).toBe(true);
    }
  });

  it('with a password: shown once; the decrypt page and openpgp.js open the file with it, and only with it', async () => {
    await page.getByLabel(/Anyone with a password/).check();
    await page.setInputFiles('#files', { name: 'for-carol.txt', mimeType: 'text/plain', buffer: first });
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByText('Encrypted with a password.').waitFor({ timeout: 30_000 });
    const password = (await page.locator('#password').textContent())!;
    expect(password).toMatch(/^([a-km-np-z2-9]{4}-){5}[a-km-np-z2-9]{4}$/);
    await expectAccessible(page, 'password');
    const file = await saved(page, 'for-carol.txt.pgp');
    const opened = await decrypt({
      message: await readMessage({ binaryMessage: file }),
      passwords: [password],
      format: 'binary',
    });
    expect(Buffer.from(opened.data as Uint8Array).equals(first)).toBe(true);

    // Carol, in Keyward's decrypt page (her Keyward has no key for it): a wrong password first.
    const decryptPage = await ext.openExtensionPage('decrypt.html', {
      viewport: { width: 900, height: 700 },
    });
    await decryptPage.setInputFiles('#file', {
      name: 'for-carol.txt.pgp',
      mimeType: 'application/pgp-encrypted',
      buffer: file,
    });
    const field = decryptPage.getByLabel('Password for this file');
    await field.waitFor();
    await expectAccessible(decryptPage, 'asks for a password');
    await field.fill('aaaa-bbbb-cccc-dddd-eeee-ffff');
    await field.press('Enter');
    await decryptPage.getByText('That password does not open this file.').waitFor({ timeout: 30_000 });
    await field.fill(password);
    await field.press('Enter');
    await expect(saved(decryptPage, 'for-carol.txt')).resolves.toEqual(first);
    await decryptPage.close();
  });
});
