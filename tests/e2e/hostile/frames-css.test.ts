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

// The frame guard makes a frame of another site inert. CSS now has the property the inert attribute sets
// (`interactivity`); the page's own style sets it back to `auto`, with !important, on every frame. The browser's
// rule for the attribute wins: the frame stays out of reach, and a click or a drop there gives the page nothing.
// Each also runs where Keyward is not (no inert attribute), where the frame takes the file.
const world = hostileWorldForThisFile();

async function run(where: 'site' | 'control', act: 'click' | 'drop'): Promise<string[]> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    const src = `${world.otherPort.origin.replace('127.0.0.1', 'localhost')}/hostile/frame-input.html`;
    await page.goto(world.attackUrl(where, '/hostile/frames-css.html', { src }));
    await expectAttempted(page, 'styled');
    await expect
      .poll(() =>
        Promise.all(page.frames().map((f) => f.evaluate(() => document.readyState).catch(() => 'gone'))),
      )
      .not.toContain('loading');
    await page.waitForTimeout(300);
    const { width, height } = page.viewportSize()!;
    if (act === 'click') await userPicks(world, page, () => page.mouse.click(width / 2, height / 2), file);
    else await userDrops(page, file.buffer, width / 2, height / 2);
    return await leaksAfterAWhile(world, marker, [page], where === 'control');
  } finally {
    await page.close();
  }
}

describe.each(['normal', 'strict'] as const)('frames styled back into reach, %s mode (Chromium)', (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  it('attack: `interactivity: auto !important` on a frame of another host covering the page takes the click and the drop', async () => {
    for (const act of ['click', 'drop'] as const) {
      expect(await run('control', act), `${act}: the attack must work where Keyward is not`).not.toEqual([]);
      expect(await run('site', act), act).toEqual([]);
    }
  });
});
