import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  leaksAfterAWhile,
  newAttackPage,
  secretFile,
  userDrops,
  hostileWorldForThisFile,
} from '../harness/hostile-world';

// Pages that are not HTML documents: an SVG document with an upload form in a foreignObject, and an XHTML document
// (no document.open() there, other parsing, no module scripts). Keyward runs in them first as in any page: a drop
// gives the page only ciphertext. (In headless Chromium their file inputs open no picker even without Keyward, so
// only drops are tried: a pick that cannot happen proves nothing.)
const world = hostileWorldForThisFile();

describe.each(['normal', 'strict'] as const)('non-HTML documents, %s mode (Chromium)', (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  it.each([
    ['an SVG document', '/hostile/doc.svg', 'svg'],
    ['an XHTML document', '/hostile/doc.xhtml', 'xhtml'],
  ])('attack: %s listening for files takes a drop', async (_name, path, step) => {
    const run = async (where: 'site' | 'control') => {
      const { marker, file } = secretFile();
      const page = await newAttackPage(world);
      await page.goto(world.attackUrl(where, path));
      await expectAttempted(page, step);
      const box = (await page.locator('#zone').boundingBox())!;
      await userDrops(page, file.buffer, box.x + 50, box.y + 50);
      const leaks = await leaksAfterAWhile(world, marker, [page], where === 'control');
      await page.close();
      return leaks;
    };
    expect(await run('control'), 'the attack must work where Keyward is not').not.toEqual([]);
    expect(await run('site')).toEqual([]);
  });
});
