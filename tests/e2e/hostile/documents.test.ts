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
  type HostileWorld,
} from '../harness/hostile-world';

// Pages that are not HTML documents: an SVG document with an upload form in a foreignObject, and an XHTML document
// (no document.open() there, other parsing, no module scripts). Keyward runs in them first as in any page: a drop
// gives the page only ciphertext. (In headless Chromium their file inputs open no picker even without Keyward, so
// only drops are tried: a pick that cannot happen proves nothing.)
let world: HostileWorld;

beforeAll(async () => {
  world = await startHostileWorld();
});
afterAll(async () => {
  await world?.close();
});

async function drop(page: Page, bytes: Buffer, x: number, y: number): Promise<void> {
  const path = join(tmpdir(), `keyward-doc-${process.pid}-${Date.now()}.txt`);
  await writeFile(path, bytes);
  const cdp = await page.context().newCDPSession(page);
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', {
      type,
      x,
      y,
      data: { items: [], files: [path], dragOperationsMask: 1 },
    });
  }
  await cdp.detach();
  await rm(path, { force: true });
}

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
      await drop(page, file.buffer, box.x + 50, box.y + 50);
      const leaks = await leaksAfterAWhile(world, marker, [page], where === 'control');
      await page.close();
      return leaks;
    };
    expect(await run('control'), 'the attack must work where Keyward is not').not.toEqual([]);
    expect(await run('site')).toEqual([]);
  });
});
