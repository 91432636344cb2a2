import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../fixtures/test-keys';
import { axeViolations, describeViolations } from './harness/accessibility';
import { askBackground } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { popupFor } from './harness/popup';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// The toolbar popup's "This site" part, as it is for a tab of a site: the popup page is opened as a background tab
// of the site's window, so that the site's tab is the active one it reads (as when the toolbar button is clicked).
let ext: LaunchedExtension;
let site: StaticServer;

beforeAll(async () => {
  site = await startStaticServer();
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close();
  await site?.close();
});

/** The site's page in front, and the popup for it. */
async function openSite(path: string): Promise<{ page: Page; popup: Page }> {
  const page = await ext.context.newPage();
  await page.goto(site.url(path));
  return { page, popup: await popupFor(ext, page) };
}

describe('the popup for a site (Chromium)', () => {
  it('with no key yet, the switch leads to setting one up instead of opting the site in', async () => {
    const { page, popup } = await openSite('/plain-form.html');
    const toggle = popup.locator('#site-toggle');
    await expect.poll(() => toggle.textContent()).toBe('Set up your key to encrypt here…');
    const [options] = await Promise.all([
      ext.context.waitForEvent('page', { predicate: (p) => p.url().endsWith('/options.html') }),
      toggle.click(),
    ]);
    await options.getByRole('heading', { name: 'Welcome to Keyward' }).waitFor();
    const state = (await askBackground(ext, 'sites.get', { origin: site.origin })) as {
      value: { enabled: boolean };
    };
    expect(state.value.enabled).toBe(false);
    await options.close();
    await page.close();
  });

  it('with a key, the site is opted in from the popup, whose options fit its width and pass axe-core', async () => {
    await askBackground(ext, 'vault.import', {
      data: readFixture('gnupg-ed25519.sec'),
      passphrase: FIXTURE_PASSPHRASE,
    });
    const { page, popup } = await openSite('/plain-form.html');
    const toggle = popup.locator('#site-toggle');
    await expect.poll(() => toggle.textContent()).toBe('Encrypt uploads on this site');
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Stop encrypting uploads here');
    await popup.locator('#site-options').waitFor();
    await saveScreenshot(popup, 'popup-site-on');
    // The browser sizes a popup to its content: the content must not widen past the popup's width.
    const size = () =>
      popup.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
        body: document.body.getBoundingClientRect().width,
      }));
    const folded = await size();
    expect(folded.body).toBeLessThanOrEqual(340);
    expect(folded.width).toBeLessThanOrEqual(360);
    // A browser shows a popup at most 600 px high: with the site on, it still fits without scrolling.
    expect(folded.height).toBeLessThanOrEqual(600);
    let violations = await axeViolations(popup);
    expect(violations, describeViolations(violations)).toEqual([]);
    // The site's options unfold by keyboard, and a change sticks.
    await popup.locator('#site-more summary').focus();
    await popup.keyboard.press('Enter');
    await popup.getByLabel(/^Strict mode/).focus();
    await popup.keyboard.press('Space');
    await expect
      .poll(
        async () =>
          ((await askBackground(ext, 'sites.get', { origin: site.origin })) as { value: { strict: boolean } })
            .value.strict,
      )
      .toBe(true);
    expect((await size()).width).toBeLessThanOrEqual(360);
    await saveScreenshot(popup, 'popup-site-options');
    violations = await axeViolations(popup);
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.close().catch(() => undefined); // opting in reloads the site's page
    await popup.close();
  });
});
