import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchedExtension } from '../harness/launch-extension';
import {
  expectAttempted,
  leaksAfterAWhile,
  newAttackPage,
  secretFile,
  startHostileWorld,
  userPicks,
  type HostileWorld,
} from '../harness/hostile-world';

// What a page had before the user opted its site in: an open tab Keyward never ran in first, the clipboard
// permission, pop-ups allowed. None of it may get around Keyward once the site is opted in.
let world: HostileWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * Sends one protocol message from an options page opened in a window of its own, so that the tabs of the main
 * window keep which one is in front (as when the user opts a site in from the toolbar popup).
 */
async function askFromAnotherWindow(ext: LaunchedExtension, anchor: Page, type: string, payload: unknown) {
  const cdp = await ext.context.newCDPSession(anchor);
  const [options] = await Promise.all([
    ext.context.waitForEvent('page', { predicate: (p) => p.url().includes('/options.html') }),
    cdp.send('Target.createTarget', { url: ext.extensionUrl('options.html'), newWindow: true }),
  ]);
  await cdp.detach();
  await options.waitForLoadState();
  const reply = await options.evaluate(
    ([t, p]) =>
      (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime.sendMessage({
        type: t,
        payload: p,
      }),
    [type, payload] as const,
  );
  await options.close();
  return reply;
}

describe('opting a site in (Chromium)', () => {
  it('attack: a tab open before the site was opted in keeps uploading plaintext: its pages are loaded again, protected', async () => {
    world = await startHostileWorld({ optIn: false });
    const w = world;
    const back = await newAttackPage(w);
    await back.goto(w.attackUrl('site', '/hostile/opt-in.html'));
    const front = await newAttackPage(w);
    await front.goto(w.attackUrl('site', '/hostile/opt-in.html'));
    // Before: nothing protects the site, and the page gets what the user picks.
    const before = secretFile();
    await userPicks(w, front, () => front.click('#file'), before.file);
    expect(await leaksAfterAWhile(w, before.marker, [front], true)).not.toEqual([]);

    expect(
      await askFromAnotherWindow(w.ext, front, 'sites.setEnabled', { origin: w.site.origin, enabled: true }),
    ).toMatchObject({ ok: true });
    // The tab in front was reloaded; the one behind was put aside, to load again when the user comes back to it.
    await expect.poll(() => back.isClosed(), { timeout: 5000 }).toBe(true);
    await front.waitForLoadState('load');
    const after = secretFile();
    expect(await userPicks(w, front, () => front.click('#file'), after.file)).not.toBe('none');
    expect(await leaksAfterAWhile(w, after.marker, [front])).toEqual([]);
    // The tab put aside, brought back: it loads again, protected.
    const tabs = await w.ext.serviceWorker.evaluate(async (origin) => {
      const chrome = (
        globalThis as unknown as {
          chrome: { tabs: { query(q: object): Promise<{ id: number; url: string; discarded: boolean }[]> } };
        }
      ).chrome;
      return (await chrome.tabs.query({ url: `${origin}/*` })).map((t) => ({
        id: t.id,
        discarded: t.discarded,
      }));
    }, w.site.origin);
    expect(tabs.filter((t) => t.discarded)).toHaveLength(1);
  });

  it('attack: the Async Clipboard API: a site the user had let read the clipboard reads it no more once opted in', async () => {
    const allowClipboard = (origin: string) => ({ [`${origin},*`]: { setting: 1 } });
    world = await startHostileWorld({
      preferences: ({ site, control }) => ({
        profile: {
          content_settings: {
            exceptions: { clipboard: { ...allowClipboard(site), ...allowClipboard(control) } },
          },
        },
      }),
    });
    const w = world;
    const read = async (where: 'site' | 'control') => {
      // The user copied something (in a page of another site, which may use the clipboard: the user allowed it).
      const { marker } = secretFile();
      const writer = await newAttackPage(w);
      await writer.goto(`${w.controlOrigin}/plain-form.html`);
      await writer.evaluate((text) => navigator.clipboard.writeText(text), marker);
      await writer.close();
      const page = await newAttackPage(w);
      await page.goto(w.attackUrl(where, '/hostile/opt-in.html'));
      await page.click('#clipboard');
      await expectAttempted(page, 'clipboard');
      const leaks = await leaksAfterAWhile(w, marker, [page], where === 'control');
      await page.close();
      return leaks;
    };
    expect(await read('control'), 'a site the user allowed reads the clipboard').not.toEqual([]);
    expect(await read('site')).toEqual([]);
  });

  it('attack: pop-ups: a site the user had allowed pop-ups opens none once opted in (it would fill it before Keyward runs there)', async () => {
    const allowPopups = (origin: string) => ({ [`${origin},*`]: { setting: 1 } });
    world = await startHostileWorld({
      popupBlocking: true,
      preferences: ({ site, control }) => ({
        profile: {
          content_settings: { exceptions: { popups: { ...allowPopups(site), ...allowPopups(control) } } },
        },
      }),
    });
    const w = world;
    const run = async (where: 'site' | 'control') => {
      const { marker, file } = secretFile();
      const page = await newAttackPage(w);
      await page.goto(w.attackUrl(where, '/hostile/opt-in.html'));
      const popupOpened = w.ext.context.waitForEvent('page', { timeout: 2000 }).catch(() => undefined);
      await page.click('#popup');
      const popup = await popupOpened;
      if (popup) {
        popup.on('filechooser', () => undefined);
        await popup.bringToFront();
        await userPicks(w, popup, () => popup.click('#f', { timeout: 2000 }).catch(() => undefined), file);
      }
      const leaks = await leaksAfterAWhile(w, marker, [page], where === 'control');
      await page.close();
      return { leaks, popup: popup !== undefined };
    };
    const control = await run('control');
    expect(control.popup).toBe(true);
    expect(control.leaks).not.toEqual([]);
    expect(await run('site')).toEqual({ leaks: [], popup: false });
  });
});
