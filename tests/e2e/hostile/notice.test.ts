import { beforeAll, describe, expect, it } from 'vitest';
import { keywardNoticeText } from '../harness/keyward-notice';
import { pickFiles } from '../harness/pick-files';
import {
  expectAttempted,
  leaksAfterAWhile,
  newAttackPage,
  readPage,
  secretFile,
  hostileWorldForThisFile,
  userPicks,
} from '../harness/hostile-world';

// Keyward's in-page notice shows the user's security phrase (so a page cannot fake it) and whom a file was
// encrypted for. A page must not be able to read either, by any means it has: its DOM, closed shadow roots,
// window.find(), frames. Nor may it turn the notice (or any frame) into a source of gestures.
const world = hostileWorldForThisFile();
const identity = 'gnupg-ed25519@example.org';

describe.each(['normal', 'strict'] as const)("Keyward's in-page notice, %s mode (Chromium)", (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  it("attack: reading the security phrase and the user's identity out of the notice (DOM, shadow roots, window.find)", async () => {
    const phrase = await world.securityPhrase();
    const page = await newAttackPage(world);
    await page.goto(world.attackUrl('site', '/hostile/notice.html'));
    await pickFiles(world.ext.context, page, () => page.click('#file'), {
      name: 'n.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('n'),
    });
    // The notice is there, saying it all (the test can read Keyward's frame; the page cannot).
    await expect.poll(() => keywardNoticeText(world.ext.context, page)).toContain(phrase);
    expect(await keywardNoticeText(world.ext.context, page)).toContain(identity);
    const readable = await readPage<string>(page, 'window.readable()');
    expect(readable).not.toContain(phrase);
    expect(readable).not.toContain(identity);
    for (const text of [phrase, phrase.split(' ')[0]!, identity, 'GnuPG Ed25519']) {
      const found = await readPage<boolean>(page, `window.findable(${JSON.stringify(text)})`);
      expect(found, `window.find(${JSON.stringify(text)})`).toBe(false);
    }
    await page.close();
  });

  it("attack: gestures through frames: a page focusing every frame (Keyward's notice among them) and watching for activation", async () => {
    const run = async (where: 'site' | 'control') => {
      const { marker, file } = secretFile();
      const page = await newAttackPage(world);
      // A frame of another host in the page, and, on the opted-in site, Keyward's notice frame.
      const src = `${world.otherPort.origin.replace('127.0.0.1', 'localhost')}/hostile/frame-input.html`;
      const url = world.attackUrl(where, '/hostile/notice.html', { poll: 'yes', src });
      await page.goto(url);
      if (where === 'site') {
        await pickFiles(world.ext.context, page, () => page.click('#file'), {
          name: 'n.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from('n'),
        });
        await expect.poll(() => keywardNoticeText(world.ext.context, page)).toContain('Encrypted');
      }
      await page.goto(`${url}#poll`); // same document: only its hash changes
      await expectAttempted(page, 'polling');
      // The user types, wherever the page put the focus; then clicks the frame.
      await userPicks(world, page, () => page.keyboard.type('hello '), file);
      const box = (await page.locator('iframe').first().boundingBox())!;
      await userPicks(world, page, () => page.mouse.click(box.x + 20, box.y + 20), file);
      const leaks = await leaksAfterAWhile(world, marker, [page], where === 'control');
      await page.close();
      return leaks;
    };
    expect(await run('control'), 'the attack must work where Keyward is not').not.toEqual([]);
    expect(await run('site')).toEqual([]);
  });
});
