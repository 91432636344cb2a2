import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  hostileWorldForThisFile,
  leaksAfterAWhile,
  newAttackPage,
  readPage,
  secretFile,
  userPicks,
  type MetPicker,
} from '../harness/hostile-world';

// The opted-in site shown whole in a frame of a page of another origin that its admin controls (another port of the
// same host: the address bar shows the same host name; or any other domain). Keyward runs in the site's frame, since
// its site is opted in, and spends each gesture's activation there with `showPicker()` on a text input. But the
// browser refuses `showPicker()` on anything but file and colour inputs in a frame cross-origin to the top, with a
// SecurityError thrown before it looks at (or spends) the activation: the site's own click listener then still holds
// the click's activation and opens the browser's picker on a file input only it holds. The user clicks "Choose a
// file" on what is the site, and picks a file. A click in a frame also activates its parents: the framing page (no
// Keyward there) can take the same activation and open a picker of its own. Closed by having the browser refuse
// the opted-in site in a frame of any other origin (extension/platform/framing.ts): the frame never loads.
const world = hostileWorldForThisFile();

async function run(
  top: 'otherPort' | 'control',
  inner: string,
  thief: 'inner' | 'top',
): Promise<{ leaks: string[]; met: MetPicker; attempts: string[] }> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    await page.goto(
      world.attackUrl(top, '/hostile/framing-top.html', {
        inner: `${inner}/hostile/framed-site.html`,
        thief,
      }),
    );
    await expectAttempted(page, 'framed');
    if (inner === world.site.origin) {
      // Keyward has the browser refuse the opted-in site in another origin's frame: it never loads there.
      await page.waitForTimeout(1000);
      const attempts = await readPage<string[]>(page, 'window.attempts ?? []');
      expect(attempts, 'the opted-in site loaded in a frame of another origin').not.toContain('ready');
    } else {
      await expectAttempted(page, 'framed', 'ready');
    }
    await page.waitForTimeout(300);
    // The site's "Choose a file" button, at a fixed place in the frame, which fills the page.
    const met = await userPicks(world, page, () => page.mouse.click(200, 100), file, 3000);
    const leaks = await leaksAfterAWhile(world, marker, [page], inner !== world.site.origin);
    return { leaks, met, attempts: await readPage<string[]>(page, 'window.attempts ?? []') };
  } finally {
    await page.close();
  }
}

describe.each(['normal', 'strict'] as const)(
  'the opted-in site framed by another origin, %s mode (Chromium)',
  (mode) => {
    beforeAll(async () => {
      await world.setStrict(mode === 'strict');
    });

    it.each([
      ["the site's own page opens the picker with the click Keyward could not spend", 'inner'],
      ['the framing page opens the picker with the activation the click gave its parents too', 'top'],
    ] as const)(
      'attack: the site framed by another host: %s (showPicker() throws SecurityError in a cross-origin frame before spending the activation)',
      async (_name, thief) => {
        // Control: the same pages where no site is opted in (another host framing another port).
        const control = await run('control', world.otherPort.origin, thief);
        expect(control.leaks, 'the attack must work where Keyward is not').not.toEqual([]);
        expect(control.attempts).toContain(`picker opened in ${thief}`);

        // On the opted-in site the frame never loads (run() checks it): nothing of the site is there to be used.
        const site = await run('control', world.site.origin, thief);
        const sameHost = await run('otherPort', world.site.origin, thief);
        if (thief === 'inner') {
          for (const result of [site, sameHost]) {
            expect(result.attempts, 'the page still held the activation').not.toContain(
              'picker opened in inner',
            );
            expect(result.leaks, 'what the user picked reached a page').toEqual([]);
            expect(result.met, "the browser's picker opened for a page").not.toBe('browser');
          }
        }
        // thief 'top': with no site in its frame, what the framing page shows is its own page, of a site that is not
        // opted in (its address in the address bar); a click there is that page's, as on any site Keyward does not
        // protect (docs/security.md, "Hostile pages": what remains).
      },
    );
  },
);
