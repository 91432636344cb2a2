import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  leaksAfterAWhile,
  newAttackPage,
  readPage,
  secretFile,
  startHostileWorld,
  userPicks,
  type HostileWorld,
  type MetPicker,
} from '../harness/hostile-world';

// Keyward's claim: the page never holds a gesture's activation, because Keyward's listener is the first code to run
// for every event a gesture starts with, and spends it there. The browser grants activation for more than the events
// Keyward listens to, and sometimes dispatches other events first, or none Keyward hears at all: a finger's pointer
// capture events come before pointerup, an input method's composition and input events carry activation with no
// key event behind it, a drop grants it, and so does a second mouse button (pointermove first). The page's own
// listeners for those events run with the activation and open the browser's file picker on an input only they hold;
// the user picks a file in it, as in any picker. Nothing is timed: each is the order the browser dispatches in, for
// an ordinary action (a tap, typing with an input method, a drag and drop). Each also runs where Keyward is not (the
// control), where it must win.
let world: HostileWorld;

beforeAll(async () => {
  world = await startHostileWorld();
});
afterAll(async () => {
  await world?.close();
});

type MouseEventType = 'mouseMoved' | 'mousePressed' | 'mouseReleased';

/** The centre of an element, read without giving the page a gesture (Playwright's locators would give it one). */
async function centreOf(page: Page, selector: string): Promise<{ x: number; y: number }> {
  return readPage(
    page,
    `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
  );
}

async function withCdp<T>(page: Page, use: (cdp: CDPSession) => Promise<T>): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    return await use(cdp);
  } finally {
    await cdp.detach();
  }
}

/** A finger taps the page's "Choose a file" button (a touch screen: touchstart, then touchend). */
async function tap(page: Page): Promise<void> {
  const { x, y } = await centreOf(page, '#choose');
  await withCdp(page, async (cdp) => {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  });
}

/**
 * The user clicks into the message field and types 你 with an input method (Chinese, Japanese, Korean, an on-screen
 * keyboard, an emoji panel, dictation all work this way): each key comes as "Process" (229), the text as a
 * composition, then committed.
 */
async function typeWithInputMethod(page: Page): Promise<void> {
  const { x, y } = await centreOf(page, '#message');
  await page.mouse.click(x, y);
  await withCdp(page, async (cdp) => {
    for (const [text, commit] of [
      ['n', false],
      ['ni', false],
      ['你', true],
    ] as const) {
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'rawKeyDown',
        key: 'Process',
        code: 'KeyN',
        windowsVirtualKeyCode: 229,
      });
      if (commit) await cdp.send('Input.insertText', { text });
      else
        await cdp.send('Input.imeSetComposition', {
          text,
          selectionStart: text.length,
          selectionEnd: text.length,
        });
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'keyUp',
        key: 'n',
        code: 'KeyN',
        windowsVirtualKeyCode: 78,
      });
    }
  });
}

/** The user drags text, or a harmless file, from elsewhere and drops it in the page's box. */
async function dropInBox(page: Page, what: 'text' | 'file'): Promise<void> {
  const { x, y } = await centreOf(page, '#box');
  const path = join(tmpdir(), `keyward-holiday-${process.pid}-${Date.now()}.txt`);
  await writeFile(path, 'a holiday photo, nothing secret');
  const data =
    what === 'text'
      ? { items: [{ mimeType: 'text/plain', data: 'see you on Monday' }], dragOperationsMask: 1 }
      : { items: [], files: [path], dragOperationsMask: 1 };
  try {
    await withCdp(page, async (cdp) => {
      for (const type of ['dragEnter', 'dragOver', 'drop'] as const)
        await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
    });
  } finally {
    await rm(path, { force: true });
  }
}

/** The user drags the page's card into its box (a list reordered, a card moved on a board). */
async function dragCardIntoBox(page: Page): Promise<void> {
  const card = await centreOf(page, '#card');
  const box = await centreOf(page, '#box');
  await withCdp(page, async (cdp) => {
    // The browser's own drag, as the operating system would carry it: what the page dragged is handed back at the
    // drop (Playwright's mouse would evaluate script in the page to do this, which gives it a gesture).
    await cdp.send('Input.setInterceptDrags', { enabled: true });
    // Once the browser has the page's drag, it is carried to the box and dropped there.
    const dropped = new Promise<void>((resolve, reject) =>
      cdp.once('Input.dragIntercepted', ({ data }) => {
        const drop = async () => {
          for (const type of ['dragEnter', 'dragOver', 'drop'] as const)
            await cdp.send('Input.dispatchDragEvent', { type, x: box.x, y: box.y, data });
        };
        drop().then(resolve, reject);
      }),
    );
    const mouse = (type: MouseEventType, x: number, y: number, buttons: number) =>
      cdp.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', buttons, clickCount: 1 });
    await mouse('mouseMoved', card.x, card.y, 0);
    await mouse('mousePressed', card.x, card.y, 1);
    await mouse('mouseMoved', card.x + 10, card.y + 10, 1);
    await mouse('mouseMoved', card.x + 20, card.y + 20, 1);
    await dropped;
  });
}

/** The user holds the left button on the page and presses the right one too (a rocker gesture, a game). */
async function chord(page: Page): Promise<void> {
  const { x, y } = await centreOf(page, '#choose');
  await withCdp(page, async (cdp) => {
    const mouse = (type: MouseEventType, button: 'left' | 'right', buttons: number) =>
      cdp.send('Input.dispatchMouseEvent', { type, x, y, button, buttons, clickCount: 1 });
    await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
    await mouse('mousePressed', 'left', 1);
    await mouse('mousePressed', 'right', 3);
    await mouse('mouseReleased', 'right', 1);
    await mouse('mouseReleased', 'left', 0);
  });
}

async function run(
  where: 'site' | 'control',
  variant: string,
  act: (page: Page) => Promise<void>,
): Promise<{ leaks: string[]; met: MetPicker; attempts: string[] }> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    await page.goto(world.attackUrl(where, '/hostile/stolen-activation.html', { v: variant }));
    await expectAttempted(page, 'ready');
    await page.waitForTimeout(250);
    const met = await userPicks(world, page, () => act(page), file, 3000);
    const leaks = await leaksAfterAWhile(world, marker, [page], where === 'control');
    return { leaks, met, attempts: await readPage<string[]>(page, 'window.attempts ?? []') };
  } finally {
    await page.close();
  }
}

/** Where Keyward is not, the page opens the picker from the event named; on the opted-in site it gets nothing. */
async function expectDefeated(variant: string, act: (page: Page) => Promise<void>, step: RegExp) {
  const control = await run('control', variant, act);
  expect(control.leaks, 'the attack must work where Keyward is not').not.toEqual([]);
  expect(control.attempts, 'the page opened the picker from the event this test is about').toEqual(
    expect.arrayContaining([expect.stringMatching(step)]),
  );
  const site = await run('site', variant, act);
  expect(site.leaks, 'what the user picked reached the page').toEqual([]);
  expect(site.met, "the browser's picker opened for the page").not.toBe('browser');
}

describe.each(['normal', 'strict'] as const)(
  'activation the page gets before Keyward, %s mode (Chromium)',
  (mode) => {
    beforeAll(async () => {
      await world.setStrict(mode === 'strict');
    });

    it('attack: a tap on a touch screen: gotpointercapture comes before pointerup, with the tap’s activation', async () => {
      await expectDefeated(
        'touch',
        tap,
        /^picker opened in (got|lost)pointercapture$|^picker opened in pointer(over|enter|out|leave)$/,
      );
    });

    it('attack: typing with an input method: composition and input events carry activation Keyward never spends', async () => {
      await expectDefeated(
        'ime',
        typeWithInputMethod,
        /^picker opened in (composition|beforeinput|input|textInput|selectionchange|a timer)/,
      );
    });

    it.each([
      ['text dragged from elsewhere', (page: Page) => dropInBox(page, 'text')],
      [
        'a harmless file (Keyward encrypts it; the picker comes after)',
        (page: Page) => dropInBox(page, 'file'),
      ],
      ["the page's own card dragged into its box", dragCardIntoBox],
    ] as const)('attack: a drop grants activation Keyward leaves unspent: %s', async (_name, act) => {
      await expectDefeated('drop', act, /^picker opened in (drop|dragend|a timer after a drop)/);
    });

    it('attack: a second mouse button pressed while the first is held: pointerrawupdate and pointermove come before mousedown', async () => {
      await expectDefeated('chord', chord, /^picker opened in pointer(rawupdate|move)/);
    });
  },
);
