import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  leaksAfterAWhile,
  newAttackPage,
  secretFile,
  startHostileWorld,
  userPicks,
  type HostileWorld,
} from '../harness/hostile-world';

// The frame guard makes a frame of another site inert. CSS now has the property the inert attribute sets
// (`interactivity`); the page's own style sets it back to `auto`, with !important, on every frame. The browser's
// rule for the attribute wins: the frame stays out of reach, and a click or a drop there gives the page nothing.
// Each also runs where Keyward is not (no inert attribute), where the frame takes the file.
let world: HostileWorld;

beforeAll(async () => {
  world = await startHostileWorld();
});
afterAll(async () => {
  await world?.close();
});

async function userDrops(page: Page, bytes: Buffer): Promise<void> {
  const path = join(tmpdir(), `keyward-frames-css-${process.pid}-${Date.now()}.txt`);
  await writeFile(path, bytes);
  try {
    const { width, height } = page.viewportSize()!;
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: [path], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: width / 2, y: height / 2, data });
    }
    await cdp.detach();
  } finally {
    await rm(path, { force: true });
  }
}

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
    else await userDrops(page, file.buffer);
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
