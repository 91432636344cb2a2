import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  leaksAfterAWhile,
  newAttackPage,
  secretFile,
  hostileWorldForThisFile,
  userDrops,
  userPicks,
} from '../harness/hostile-world';

// Documents the page makes to replace one Keyward armed, with its own listeners in them: a javascript: URL's result
// in a same-origin frame covering the page, and a blob: document of the site's own origin the page navigates itself
// to. Keyward runs in both (blob: by its origin, the javascript: URL's document as a new document of the frame), so a
// click or a drop there gives the page only ciphertext. Each also runs where Keyward is not, where it must win.
const world = hostileWorldForThisFile();

async function run(where: 'site' | 'control', variant: string, act: 'click' | 'drop'): Promise<string[]> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    await page.goto(world.attackUrl(where, '/hostile/replaced-document.html', { v: variant }));
    await expectAttempted(page, 'replaced');
    await page.waitForTimeout(300);
    const { width, height } = page.viewportSize()!;
    if (act === 'click') await userPicks(world, page, () => page.mouse.click(width / 2, height / 2), file);
    else await userDrops(page, file.buffer, width / 2, height / 2);
    return await leaksAfterAWhile(world, marker, [page], where === 'control');
  } finally {
    await page.close();
  }
}

describe.each(['normal', 'strict'] as const)('documents the page replaces, %s mode (Chromium)', (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  it.each([
    ["a javascript: URL's document in a same-origin frame covering the page", 'javascript'],
    ["a blob: document of the site's origin the page navigates itself to", 'blob'],
  ])('attack: %s, listening for files, takes a click and a drop', async (_name, variant) => {
    for (const act of ['click', 'drop'] as const) {
      expect(
        await run('control', variant, act),
        `${act}: the attack must work where Keyward is not`,
      ).not.toEqual([]);
      expect(await run('site', variant, act), act).toEqual([]);
    }
  });
});
