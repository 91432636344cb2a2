import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllBytes } from '../../shared/openpgp/byte-streams';
import { encryptFile, generateKey } from '../../shared/openpgp';
import { CHEAP_ARGON2, FIXTURE_PASSPHRASE, NOW, readFixture } from '../fixtures/test-keys';
import {
  axeViolations,
  describeViolations,
  horizontalOverflow,
  REFLOW_VIEWPORTS,
} from './harness/accessibility';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { saveScreenshot } from './harness/screenshot';

// The decrypt page in the real extension: a file encrypted to the user's (GnuPG-made) key opens after unlocking;
// damaged files and files for someone else give a clear message and nothing to save.
let ext: LaunchedExtension;
let page: Page;
const original = randomBytes(3 * 1024 * 1024 + 123);
let ciphertext: Buffer;

const send = (type: string, payload: unknown) => askBackground(ext, type, payload);

async function encryptTo(publicKey: string, bytes: Uint8Array, filename: string): Promise<Buffer> {
  const encrypted = await encryptFile({
    plaintext: bytes,
    recipients: [publicKey],
    date: new Date(),
    filename,
  });
  return Buffer.from(await readAllBytes(encrypted.ciphertext));
}

beforeAll(async () => {
  ext = await launchExtension();
  expect(
    await send('vault.import', { data: readFixture('gnupg-ed25519.sec'), passphrase: FIXTURE_PASSPHRASE }),
  ).toMatchObject({ ok: true });
  expect(await send('vault.lock', {})).toMatchObject({ ok: true });
  ciphertext = await encryptTo(readFixture('gnupg-ed25519.pub'), original, 'report.bin');
  page = await ext.openExtensionPage('decrypt.html', { viewport: { width: 900, height: 700 } });
});
afterAll(() => ext?.close());

/** axe-core finds nothing, and the page fits 320 px and 200% zoom without sideways scrolling. */
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

async function pick(name: string, bytes: Buffer): Promise<void> {
  await page.setInputFiles('#file', { name, mimeType: 'application/pgp-encrypted', buffer: bytes });
}

describe('the decrypt page (Chromium)', () => {
  it('asks to unlock the key a file is for, then offers exactly the original file to save', async () => {
    await pick('report.bin.pgp', ciphertext);
    await page.getByText('is encrypted to your key GnuPG Ed25519').waitFor();
    await page.getByLabel('Passphrase of GnuPG Ed25519 <gnupg-ed25519@example.org>').fill(FIXTURE_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock and decrypt' }).click();
    const save = page.getByRole('link', { name: 'Save report.bin' });
    await save.waitFor({ timeout: 30_000 });
    await page.getByText('the file is complete and unaltered; not signed.').waitFor();
    await saveScreenshot(page, 'decrypt-page');
    const saved = await page.evaluate(async () => {
      const href = (document.getElementById('save') as HTMLAnchorElement).href;
      const bytes = await (await fetch(href)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return {
        size: bytes.byteLength,
        sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
      };
    });
    expect(saved).toEqual({
      size: original.length,
      sha256: createHash('sha256').update(original).digest('hex'),
    });
    await expect(save.getAttribute('download')).resolves.toBe('report.bin');
  });

  it('works by keyboard alone, and passes axe-core and reflow while locked and once decrypted', async () => {
    expect(await send('vault.lock', {})).toMatchObject({ ok: true });
    const fresh = await ext.openExtensionPage('decrypt.html', { viewport: { width: 900, height: 700 } });
    try {
      await fresh.setInputFiles('#file', {
        name: 'keys.bin.pgp',
        mimeType: 'application/pgp-encrypted',
        buffer: ciphertext,
      });
      const field = fresh.getByLabel('Passphrase of GnuPG Ed25519 <gnupg-ed25519@example.org>');
      await field.waitFor();
      await expectAccessible(fresh, 'locked');
      await field.focus();
      await fresh.keyboard.type(FIXTURE_PASSPHRASE);
      await fresh.keyboard.press('Enter');
      // Saved under the name inside the message, not the name of the file picked.
      const save = fresh.getByRole('link', { name: 'Save report.bin' });
      await save.waitFor({ timeout: 30_000 });
      await expectAccessible(fresh, 'decrypted');
      // The save link is reachable with Tab from the top of the page.
      await fresh.locator('body').focus();
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await fresh.keyboard.press('Tab');
        reached = await save.evaluate((link) => link === document.activeElement);
      }
      expect(reached).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it.each([
    ['a truncated file', () => ciphertext.subarray(0, ciphertext.length - 1000)],
    [
      'a tampered file',
      () => {
        const copy = Buffer.from(ciphertext);
        copy[Math.floor(copy.length / 2)]! ^= 0x40;
        return copy;
      },
    ],
  ])('gives an error and nothing to save for %s', async (_name, damaged) => {
    await pick('damaged.pgp', damaged());
    await page.getByRole('alert').filter({ hasText: 'Nothing was decrypted' }).waitFor({ timeout: 30_000 });
    await expect(page.locator('#result').isHidden()).resolves.toBe(true);
  });

  it('says a file for someone else is not for any of your keys', async () => {
    const stranger = await generateKey({
      name: 'Stranger',
      email: 'stranger@example.org',
      passphrase: 'x',
      date: NOW,
      argon2: CHEAP_ARGON2,
    });
    await pick(
      'theirs.pgp',
      await encryptTo(stranger.publicKeyArmored, original.subarray(0, 100), 'theirs.txt'),
    );
    await page.getByRole('alert').filter({ hasText: 'not encrypted to any of your keys' }).waitFor();
    await expect(page.locator('#result').isHidden()).resolves.toBe(true);
  });

  it('had no errors', () => {
    expect(ext.errors()).toEqual([]);
  });
});
