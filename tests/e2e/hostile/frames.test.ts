import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAttempted,
  leaksAfterAWhile,
  secretFile,
  hostileWorldForThisFile,
  newAttackPage,
  userDrops,
  userPicks,
} from '../harness/hostile-world';

// A hostile page on an opted-in site covers itself with a frame Keyward does not run in first: another site's,
// another port's, a sandboxed one, or a same-origin frame whose own page never loads (the page fills its first,
// blank document instead). The user clicks or drops a secret file on what looks like the opted-in page. Nothing of
// it may reach a server or the page. Each attack also runs on a site that is not opted in, where it must win.
const world = hostileWorldForThisFile();

const frameOf = (host: '127.0.0.1' | 'localhost') =>
  `${world.otherPort.origin.replace('127.0.0.1', host)}/hostile/frame-input.html`;

type Act = 'click' | 'drop';

async function run(where: 'site' | 'control', variant: string, act: Act, src?: string): Promise<string[]> {
  const { marker, file } = secretFile();
  const page = await newAttackPage(world);
  try {
    await page.goto(world.attackUrl(where, '/hostile/frames.html', { v: variant, ...(src ? { src } : {}) }));
    await expectAttempted(page, variant);
    // The frames' own scripts are ready (and, on the opted-in site, Keyward has had a frame or two to see them).
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

describe.each(['normal', 'strict'] as const)('frames in a hostile page, %s mode (Chromium)', (mode) => {
  beforeAll(async () => {
    await world.setStrict(mode === 'strict');
  });

  it.each([
    ['a frame of another host', 'cross', 'localhost'],
    ['a frame of another port of the same host', 'cross', '127.0.0.1'],
    ['a same-origin frame holding a frame of another host', 'nested', 'localhost'],
    ['a frame of another host, added in a closed shadow root attached later', 'late-shadow', 'localhost'],
    ['a frame of another host whose inert attribute the page keeps removing', 'uninert', 'localhost'],
    ['a stopped same-origin frame, in a closed shadow root attached later', 'late-shadow-stuck', undefined],
    ['a sandboxed frame', 'sandboxed', undefined],
    ['a same-origin frame whose load the page stopped, filling its first document', 'stuck', undefined],
  ] as const)('attack: %s covering the page takes the click and the drop', async (_name, variant, host) => {
    const src = host ? frameOf(host) : undefined;
    for (const act of ['click', 'drop'] as const) {
      expect(
        await run('control', variant, act, src),
        `${act}: the attack must work where Keyward is not`,
      ).not.toEqual([]);
      expect(await run('site', variant, act, src), act).toEqual([]);
    }
  });
});
