import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  leaksAfterAWhile,
  secretFile,
  hostileWorldForThisFile,
  newAttackPage,
  readPage,
  userPicks,
  type MetPicker,
} from '../harness/hostile-world';

// A hostile page on an opted-in site tries to get the browser's file picker to report to its own code: by erasing
// Keyward's listeners, by opening inputs Keyward cannot see, and with functions from realms Keyward never touched.
// The user picks a secret file in whatever picker opens. No byte of it may reach any server the page can talk to,
// nor the page's scripts. Every attack also runs on a site that is not opted in (the control), where it must win:
// otherwise the test would prove nothing.
const world = hostileWorldForThisFile();

interface Attack {
  readonly path: string;
  readonly query: Record<string, string>;
  /** What the user does once the page is loaded; resolves to the picker they met. */
  readonly act: (page: Page, file: ReturnType<typeof secretFile>['file']) => Promise<MetPicker>;
  /** The attack's step the page records, once it ran. */
  readonly step?: string;
}

async function run(where: 'site' | 'control', attack: Attack): Promise<{ leaks: string[]; met: MetPicker }> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    await page.goto(world.attackUrl(where, attack.path, attack.query));
    await page.waitForLoadState('load');
    await page.waitForTimeout(250); // the page's own set-up after load
    const met = await attack.act(page, file);
    if (attack.step) await expectAttempted(page, attack.step);
    return { leaks: await leaksAfterAWhile(world, marker, [page], where === 'control'), met };
  } finally {
    await page.close();
  }
}

/** The attack wins where Keyward is not, and gets nothing on the opted-in site. */
async function expectDefeated(attack: Attack): Promise<MetPicker> {
  // One after the other: a browser opens a file picker only for the page in front.
  const control = await run('control', attack);
  const protectedRun = await run('site', attack);
  expect(control.leaks, 'the attack must work on a site that is not opted in').not.toEqual([]);
  expect(protectedRun.leaks).toEqual([]);
  return protectedRun.met;
}

const click = (selector: string, frame?: string) => (page: Page) =>
  (frame ? page.frameLocator(frame).locator(selector) : page.locator(selector))
    .click({ timeout: 2000 })
    .catch(() => undefined); // gone: Keyward stopped the page

const picksAfter =
  (selector: string, frame?: string) => (page: Page, file: ReturnType<typeof secretFile>['file']) =>
    userPicks(world, page, () => click(selector, frame)(page), file);

describe.each(['normal', 'strict'] as const)('a hostile page, %s mode (Chromium)', (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  describe('document.open() erasing listeners', () => {
    it.each([
      ['the top document', 'top', '#f', undefined],
      ['document.write() after load', 'write', '#f', undefined],
      ["a fresh realm's open() on the top document", 'fresh-open', '#f', undefined],
    ])(
      'attack: %s is rewritten with the page listening first; Keyward stops it',
      async (_name, v, selector) => {
        const met = await expectDefeated({
          path: '/hostile/reopen.html',
          query: { v },
          act: picksAfter(selector),
        });
        expect(met).toBe('none'); // the page is gone: nothing left to click
      },
    );

    it('attack: a same-origin blank frame rewritten with document.open(), its input then pressed', async () => {
      await expectDefeated({
        path: '/hostile/reopen.html',
        query: { v: 'frame' },
        act: picksAfter('#f', '#editor'),
      });
    });
  });

  describe('detached inputs opened without input.click()', () => {
    it.each(['label', 'descendant', 'dispatch', 'show-picker'])(
      'attack: a detached input opened through %s',
      async (v) => {
        const met = await expectDefeated({
          path: '/hostile/detached.html',
          query: { v },
          act: picksAfter('#go'),
          step: v,
        });
        // The browser's picker never opens for the page; Keyward's may (the page asked, during the user's click).
        expect(met).not.toBe('browser');
      },
    );

    it.each(['removed', 'moved'])('attack: an input %s while its picker is open', async (v) => {
      await expectDefeated({ path: '/hostile/detached.html', query: { v }, act: picksAfter('#attached') });
    });
  });

  describe('functions from a fresh realm', () => {
    it.each([
      ['srcdoc', 'click'],
      ['javascript', 'click'],
      ['blob', 'click'],
      ['stuck', 'click'],
      ['dead', 'click'],
      ['stuck', 'show-picker'],
      ['stuck', 'dispatch'],
    ])('attack: a %s frame realm calling %s on a detached input', async (realm, use) => {
      const met = await expectDefeated({
        path: '/hostile/fresh-realm.html',
        query: { realm, use },
        act: picksAfter('#go'),
        step: use,
      });
      expect(met).toBe('none'); // no activation for the browser's picker, and nothing Keyward could see
    });

    // The test browser has no File System Access picker to answer, so what is checked is the browser's own answer:
    // where Keyward is not, the picker opens (headless Chromium then aborts it: AbortError); on the opted-in site
    // it is refused for want of a user gesture. One page after the other: only the page in front gets a picker.
    it.each(['fsa-open', 'fsa-dir'])(
      "attack: a fresh realm's %s (File System Access picker)",
      async (use) => {
        const attempts = async (where: 'site' | 'control') => {
          const page = await world.ext.context.newPage();
          try {
            await page.goto(world.attackUrl(where, '/hostile/fresh-realm.html', { realm: 'stuck', use }));
            await page.waitForTimeout(250);
            await page.click('#go');
            await page.waitForTimeout(1000);
            return await readPage<string[]>(page, 'window.attempts');
          } finally {
            await page.close();
          }
        };
        expect(await attempts('control')).toEqual([use, `${use} refused: AbortError`]);
        expect(await attempts('site')).toEqual([
          use,
          expect.stringMatching(new RegExp(`^${use} refused: (SecurityError|NotAllowedError)$`)),
        ]);
      },
    );

    it("attack: a fresh realm's click() on an input in the page gets Keyward's picker, never the browser's", async () => {
      const met = await expectDefeated({
        path: '/hostile/fresh-realm.html',
        query: { realm: 'stuck', use: 'click-attached' },
        act: picksAfter('#go'),
        step: 'click-attached',
      });
      expect(met).toBe('keyward');
    });
  });
});
