import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptFile, inspectMessage, unlockKey } from '../../../shared/openpgp';
import { readAllBytes } from '../../../shared/openpgp/byte-streams';
import { FIXTURE_PASSPHRASE, readFixture } from '../../fixtures/test-keys';
import { askBackgroundOk } from '../harness/ask-background';
import { keywardNoticeText } from '../harness/keyward-notice';
import { fileParts } from '../harness/multipart';
import { pickFiles } from '../harness/pick-files';
import { expectAttempted, newAttackPage, hostileWorldForThisFile } from '../harness/hostile-world';

// A hostile page tries to make Keyward act for it: hand Keyward a file it made itself (a contract) so that Keyward
// signs it with the user's key, opens Keyward's unlock window on the page's behalf, or puts the user's key id (and
// so their name, through the keyserver's by-keyid lookup) into a ciphertext it can read. Keyward must leave a file
// the page made alone: no encryption, no signature, no unlock window, no notice.
const world = hostileWorldForThisFile();

/** Resolves true if Keyward's unlock window opens within `ms`. */
function unlockWindowWithin(ms: number): Promise<boolean> {
  return world.ext.context
    .waitForEvent('page', { predicate: (p) => p.url().includes('/unlock.html'), timeout: ms })
    .then(
      async (window) => {
        await window.close();
        return true;
      },
      () => false,
    );
}

/** The fixture user's key, unlocked, as the decrypting side holds it. */
const readFixtureKey = () => unlockKey(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);

/** What the site received from `page`'s attack: the file parts of every upload after `since`. */
async function receivedSince(since: number) {
  await new Promise((resolve) => setTimeout(resolve, 800));
  return world.site.requests
    .slice(since)
    .filter((r) => r.method === 'POST')
    .flatMap((r) => fileParts(r.body, r.headers['content-type']));
}

describe.each(['normal', 'strict'] as const)('a page-made file, %s mode (Chromium)', (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  it.each([
    ['in an input, with a dispatched change', 'change'],
    ['in a synthetic drop', 'drop'],
    ['in a synthetic paste', 'paste'],
    ['in an input, then the form submitted', 'submit'],
  ])(
    'attack: signing and unlock oracle: a page-made file %s is neither encrypted, signed nor unlocked for',
    async (_name, v) => {
      for (const when of ['load', 'click'] as const) {
        await askBackgroundOk(world.ext, 'vault.lock', {});
        const text = `I, the user, owe the site everything. ${randomBytes(8).toString('hex')}`;
        const since = world.site.requests.length;
        const page: Page = await newAttackPage(world);
        const unlock = unlockWindowWithin(2000);
        await page.goto(world.attackUrl('site', '/hostile/page-made.html', { v, when, text }));
        // With the user's click, too: a real gesture must not make a page-made file the user's.
        if (when === 'click') await page.click('#go');
        if (v !== 'submit') await expectAttempted(page, v); // a submitted form leaves the page
        expect(await unlock, `${when}: Keyward's unlock window opened for the page`).toBe(false);
        const parts = await receivedSince(since);
        // The page's own file reached its server exactly as the page made it: Keyward did not touch it.
        expect(parts.map((p) => [p.filename, p.data.toString()])).toEqual([['contract.txt', text]]);
        expect(await keywardNoticeText(world.ext.context, page)).toBe('');
        await page.close();
      }
    },
  );

  it('attack: signing oracle through the clipboard: a real paste of what a page wrote there is encrypted, never signed, and never asks to unlock', async () => {
    await askBackgroundOk(world.ext, 'vault.lock', {});
    // Another page (it could be this site's, earlier) put an image of its choosing on the clipboard.
    await world.ext.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: world.controlOrigin,
    });
    const writer = await newAttackPage(world);
    await writer.goto(`${world.controlOrigin}/plain-form.html`);
    await writer.evaluate(async () => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 4, height: 4 });
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
    });
    await writer.close();
    const since = world.site.requests.length;
    const page = await newAttackPage(world);
    await page.goto(
      world.attackUrl('site', '/hostile/page-made.html', { v: 'none', when: 'click', text: 'x' }),
    );
    const unlock = unlockWindowWithin(3000);
    await page.click('#zone');
    await page.keyboard.press('Control+V');
    expect(await unlock).toBe(false);
    const [part] = await receivedSince(since);
    expect(part?.filename).toBe('image.png.pgp');
    const info = await inspectMessage(new Uint8Array(part!.data));
    expect(info.encryption).not.toBeNull();
    // Decrypted with the user's key, it carries no signature.
    const key = await readFixtureKey();
    const decrypted = await decryptFile({
      ciphertext: new Uint8Array(part!.data),
      keys: [key],
      date: new Date(),
    });
    await readAllBytes(decrypted.plaintext);
    expect(await decrypted.signatures).toEqual([]);
    await page.close();
  });

  it("the same page, the user's own pick: encrypted, and the locked key asks to be unlocked (the checks above can fail)", async () => {
    await askBackgroundOk(world.ext, 'vault.lock', {});
    const page = await newAttackPage(world);
    await page.goto(
      world.attackUrl('site', '/hostile/page-made.html', { v: 'none', when: 'click', text: 'x' }),
    );
    const unlock = unlockWindowWithin(10_000);
    await pickFiles(world.ext.context, page, () => page.click('#file'), {
      name: 'mine.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('mine'),
    });
    expect(await unlock).toBe(true);
    await page.close();
  });
});
