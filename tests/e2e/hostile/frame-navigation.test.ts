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

// Keyward's claim: its listener is the first in every document of an opted-in site, because its content script runs
// at document_start, before any script of that document. But a document's listeners need not come from its own
// scripts. A same-origin frame that loads a page (its first page from its src included) gets a new document, which
// the browser commits (and its parent can reach through the frame's window) before it creates the document's first
// element, which is when Keyward's content script runs. The parent page watches the frame and adds its own listeners to the new document's window in that
// gap. Keyward then runs there, arms the frame (it is not made inert: its document runs Keyward), and comes second
// for every event in it: the page's capture listener takes a drop's files before Keyward sees them, and a click's
// activation before Keyward spends it (then opens the browser's picker on an input only it holds).
//
// The frame shows an ordinary upload form of the site, over the whole page; the user clicks it or drops a file on
// it. Nothing is timed on the user's side: the page only has to catch its own frame's new document, which it does
// before the user does anything. Each attack also runs where Keyward is not (the control), where it must win.
const world = hostileWorldForThisFile();

type Act = 'click' | 'drop';

async function run(where: 'site' | 'control', act: Act): Promise<string[]> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    await page.goto(world.attackUrl(where, '/hostile/renavigated-frame.html'));
    // The page caught its frame's new document before Keyward's script ran in it, and the frame has loaded.
    await expectAttempted(page, 'hooked before Keyward', 'ready');
    await page.waitForTimeout(300); // Keyward, on the opted-in site, has armed the frame (and let the user in)
    const { width, height } = page.viewportSize()!;
    if (act === 'click') await userPicks(world, page, () => page.mouse.click(width / 2, height / 2), file);
    else await userDrops(page, file.buffer, width / 2, height / 2);
    return await leaksAfterAWhile(world, marker, [page], where === 'control');
  } finally {
    await page.close();
  }
}

describe.each(['normal', 'strict'] as const)(
  'a same-origin frame navigated again, %s mode (Chromium)',
  (mode) => {
    beforeAll(async () => {
      await world.setStrict(mode === 'strict');
    });

    it.each([
      ['a drop on it: the page takes the files first', 'drop'],
      ['a click in it: the page takes the activation first and opens the browser’s picker', 'click'],
    ] as const)(
      "attack: the page's listeners added to its frame's new document before Keyward's script runs there; %s",
      async (_name, act) => {
        expect(await run('control', act), 'the attack must work where Keyward is not').not.toEqual([]);
        expect(await run('site', act)).toEqual([]);
      },
    );
  },
);
