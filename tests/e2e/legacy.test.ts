import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linkIn } from '../../keyserver/test-support/mail-catcher';
import { subjectOf } from '../../keyserver/test-support/legacy-calls';
import { startTestKeyserver, type TestKeyserver } from '../../keyserver/test-support/test-keyserver';
import { askBackground, askBackgroundOk as ok } from './harness/ask-background';
import { launchExtension, type LaunchedExtension } from './harness/launch-extension';
import { fileParts } from './harness/multipart';
import { pickFiles } from './harness/pick-files';
import { saveScreenshot } from './harness/screenshot';
import { startStaticServer, type StaticServer } from './harness/static-server';

// Digital legacy in real Chromium with the built extension, two profiles (the owner's and the trusted person's),
// against a keyserver in this process whose clock the test moves and whose legacy sweep it runs. Set-up (keys,
// publishing, opting a site in) goes through the background; every legacy step is the user's, in the options page.
const DAY = 24 * 3_600_000;
let OWNER = '';
let TRUSTED = '';
const OWNER_PASS = 'copper heron sings under eleven moons';
const TRUSTED_PASS = 'violet harbor juggles ninety quiet lamps';
const INHERITED_PASS = 'amber walrus reads twelve quiet maps';

let ks: TestKeyserver;
let site: StaticServer;
const browsers: LaunchedExtension[] = [];

// Each run gets its own keyserver: a run moves its clock days ahead, and grants are signed with the browser's.
beforeEach(async () => {
  ks = await startTestKeyserver({ RATE_LEGACY_REQUESTS_PER_IP_MINUTE: '1000' });
  ks.clock.advance(3_600_000); // keys the browsers make are in the keyserver's past
});

afterEach(async () => {
  await Promise.all(browsers.splice(0).map((b) => b.close()));
  await ks?.close();
});

beforeAll(async () => {
  site = await startStaticServer();
});

afterAll(() => site?.close());

/** A fresh profile with a published key for `email` (set up through the background, confirmed by the mailed link). */
async function profileWithKey(name: string, email: string, passphrase: string) {
  const ext = await launchExtension();
  browsers.push(ext);
  await ok(ext, 'settings.update', { keyserverUrl: ks.url, lookupOrder: ['keyserver'] });
  const { key } = (await ok(ext, 'vault.create', { name, email, passphrase })) as {
    key: { fingerprint: string };
  };
  const before = ks.mail.countTo(email);
  await ok(ext, 'publish.key', { fingerprint: key.fingerprint });
  const confirmed = await fetch(linkIn(await ks.mail.next(email, 15_000, before), '/verify/'), {
    method: 'POST',
  });
  expect(confirmed.status).toBe(200);
  return { ext, fingerprint: key.fingerprint };
}

let runs = 0;
function pair() {
  runs++;
  OWNER = `sam${runs}@example.org`;
  TRUSTED = `robin${runs}@example.org`;
  return Promise.all([
    profileWithKey('Sam', OWNER, OWNER_PASS),
    profileWithKey('Robin', TRUSTED, TRUSTED_PASS),
  ]);
}

async function optionsPage(ext: LaunchedExtension, width = 1000): Promise<Page> {
  return ext.openExtensionPage('options.html', { viewport: { width, height: 1400 } });
}

const ownerSection = (page: Page) => page.getByRole('region', { name: 'If something happens to you' });
const trustedSection = (page: Page) => page.getByRole('region', { name: 'People who named you' });
const grantCard = (section: Locator, heading: string) => section.getByRole('article', { name: heading });

/** The owner names the trusted person in the options page, by keyboard. */
async function nameTrustedPerson(page: Page, days: number): Promise<Locator> {
  const section = ownerSection(page);
  await section.getByText(`You have not named anyone on ${ks.url}.`).waitFor();
  await section.getByLabel('Their address').focus();
  await page.keyboard.type(TRUSTED);
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(String(days));
  await page.keyboard.press('Enter');
  const card = grantCard(section, TRUSTED);
  await card.getByText(`${TRUSTED} has not asked for access.`).waitFor({ timeout: 30_000 });
  return card;
}

/** The trusted person asks in their options page; returns their grant card. */
async function askForAccess(page: Page): Promise<Locator> {
  const card = grantCard(trustedSection(page), `From ${OWNER}`);
  await card.getByRole('button', { name: 'Ask for access' }).click();
  await card.getByText('You asked on').waitFor({ timeout: 30_000 });
  return card;
}

async function mailedSubject(to: string, skip: number): Promise<string> {
  return subjectOf(await ks.mail.next(to, 15_000, skip));
}

async function vaultFingerprints(ext: LaunchedExtension): Promise<string[]> {
  const { keys } = (await ok(ext, 'vault.list', {})) as { keys: { fingerprint: string }[] };
  return keys.map((k) => k.fingerprint);
}

/** Decrypts `ciphertext` in the extension's decrypt page and returns what it offers to save. */
async function decrypts(ext: LaunchedExtension, ciphertext: Buffer): Promise<Buffer> {
  const page = await ext.openExtensionPage('decrypt.html');
  await page.setInputFiles('#file', {
    name: 'will.txt.pgp',
    mimeType: 'application/octet-stream',
    buffer: ciphertext,
  });
  await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
  const bytes = await page.evaluate(async () => {
    const href = (document.querySelector('#save') as HTMLAnchorElement).href;
    return Array.from(new Uint8Array(await (await fetch(href)).arrayBuffer()));
  });
  await page.close();
  return Buffer.from(bytes);
}

/** The page fits its width: nothing scrolls sideways (320 CSS px is also 640 px at 200% zoom). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, client, wide } = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    return {
      scroll: document.documentElement.scrollWidth,
      client,
      // Whole pixels: layout widths are fractional, and scrollWidth rounds them.
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > client + 1)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
    };
  });
  expect(wide).toEqual([]);
  expect(scroll).toBeLessThanOrEqual(client + 1);
}

describe('digital legacy (two Chromium profiles, a keyserver with a moved clock)', () => {
  it('the owner grants, the trusted person asks, the owner is mailed, the period passes, and the trusted person opens the owner’s earlier upload', async () => {
    const [owner, trusted] = await pair();

    // Before anything else, the owner uploads a file on an opted-in site: encrypted to their key only.
    const plaintext = Buffer.from(`Sam's will ${'w'.repeat(2000)}\n`);
    await ok(owner.ext, 'sites.setEnabled', { origin: site.origin, enabled: true });
    const upload = await owner.ext.context.newPage();
    await upload.goto(site.url('/upload/fetch-formdata.html'));
    await pickFiles(owner.ext.context, upload, () => upload.click('#file'), {
      name: 'will.txt',
      mimeType: 'text/plain',
      buffer: plaintext,
    });
    const [uploaded] = await site.waitForUploads(1, 30_000);
    const ciphertext = fileParts(uploaded!.body, uploaded!.headers['content-type'])[0]!.data;
    expect(ciphertext.includes(plaintext)).toBe(false);
    await upload.close();

    const ownerPage = await optionsPage(owner.ext);
    const ownerCard = await nameTrustedPerson(ownerPage, 1);
    await expect(ownerCard.locator('dd').first().textContent()).resolves.toBe('1 day');

    const trustedPage = await optionsPage(trusted.ext);
    const before = ks.mail.countTo(OWNER);
    const asked = await askForAccess(trustedPage);
    await expect(asked.textContent()).resolves.toContain(`Unless ${OWNER} refuses, access opens on`);
    expect(await mailedSubject(OWNER, before)).toMatch(
      new RegExp(`^${TRUSTED} asked for access to your Keyward key`),
    );

    await ownerSection(ownerPage).getByRole('button', { name: 'Check again' }).click();
    await ownerCard.getByText('They get your key on').waitFor();
    await ownerCard.getByRole('button', { name: 'Refuse access' }).waitFor();
    await saveScreenshot(ownerPage, 'legacy-owner-requested');

    // Too early, even asked directly: nothing is released and nothing lands in the vault.
    const early = (await askBackground(trusted.ext, 'legacy.importReleased', {
      grantId: await asked.getAttribute('data-grant'),
      trustedFingerprint: trusted.fingerprint,
      newPassphrase: INHERITED_PASS,
    })) as { ok: boolean; error?: { message: string } };
    expect(early).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not released yet/) as unknown },
    });
    expect(await vaultFingerprints(trusted.ext)).toEqual([trusted.fingerprint]);

    ks.clock.advance(DAY);
    await ks.legacy.sweep();
    await trustedSection(trustedPage).getByRole('button', { name: 'Check again' }).click();
    await asked.getByText('Access was given on').waitFor();
    await asked.getByLabel('New passphrase', { exact: true }).fill(INHERITED_PASS);
    await asked.getByLabel('Repeat the new passphrase').fill(INHERITED_PASS);
    await asked.getByRole('button', { name: 'Import their key' }).click();
    await trustedSection(trustedPage)
      .getByText(`Sam <${OWNER}> is now among your keys`)
      .waitFor({ timeout: 60_000 });
    await saveScreenshot(trustedPage, 'legacy-trusted-imported');
    expect(await vaultFingerprints(trusted.ext)).toContain(owner.fingerprint);

    expect((await decrypts(trusted.ext, ciphertext)).equals(plaintext)).toBe(true);
  }, 120_000);

  it('the owner refuses in the options page: the period passes and the trusted person gets nothing, not even by asking the background directly', async () => {
    const [owner, trusted] = await pair();
    // The owner works at 320 CSS px (what 200% zoom leaves of a 640 px window).
    const ownerPage = await optionsPage(owner.ext, 320);
    const section = ownerSection(ownerPage);
    // A wrong field says so next to it.
    await section.getByText(`You have not named anyone on ${ks.url}.`).waitFor();
    await section.getByLabel('Waiting period in days (1 to 90)').fill('120');
    await section.getByRole('button', { name: 'Name them' }).click();
    const address = section.getByLabel('Their address');
    await expect(address.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(address.getAttribute('aria-describedby')).resolves.toMatch(/legacy-field-error-/);
    const days = section.getByLabel('Waiting period in days (1 to 90)');
    await expect(days.getAttribute('aria-invalid')).resolves.toBe('true');
    // An address with no published key: the lookup's answer, under the address.
    await address.fill('nobody@example.org');
    await days.fill('2');
    await section.getByRole('button', { name: 'Name them' }).click();
    await section.getByText('No usable key for nobody@example.org was found').waitFor({ timeout: 30_000 });
    await expect(address.getAttribute('aria-invalid')).resolves.toBe('true');
    await address.fill('');

    const ownerCard = await nameTrustedPerson(ownerPage, 2);
    await expectNoSidewaysScroll(ownerPage);

    const trustedPage = await optionsPage(trusted.ext);
    const before = ks.mail.countTo(OWNER);
    const asked = await askForAccess(trustedPage);
    expect(await mailedSubject(OWNER, before)).toMatch(new RegExp(`^${TRUSTED} asked for access`));

    await section.getByRole('button', { name: 'Check again' }).click();
    const trustedMails = ks.mail.countTo(TRUSTED);
    await ownerCard.getByRole('button', { name: 'Refuse access' }).click();
    await ownerCard.getByText('You refused the request of').waitFor({ timeout: 30_000 });
    await expect(ownerCard.getAttribute('data-state')).resolves.toBe('refused');
    await expectNoSidewaysScroll(ownerPage);
    await saveScreenshot(ownerPage, 'legacy-owner-refused-320px');
    expect(await mailedSubject(TRUSTED, trustedMails)).toMatch(new RegExp(`^${OWNER} refused your request`));

    ks.clock.advance(3 * DAY);
    await ks.legacy.sweep();
    await trustedSection(trustedPage).getByRole('button', { name: 'Check again' }).click();
    await asked.getByText(`${OWNER} refused your last request. You can ask again from`).waitFor();
    await expect(asked.getByRole('button', { name: 'Import their key' }).count()).resolves.toBe(0);
    await expect(asked.getByRole('button', { name: 'Ask for access' }).count()).resolves.toBe(0);
    const forced = (await askBackground(trusted.ext, 'legacy.importReleased', {
      grantId: await asked.getAttribute('data-grant'),
      trustedFingerprint: trusted.fingerprint,
      newPassphrase: INHERITED_PASS,
    })) as { ok: boolean; error?: { code: string } };
    expect(forced).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await vaultFingerprints(trusted.ext)).toEqual([trusted.fingerprint]);
    expect(ks.mail.mails.filter((m) => m.to.includes(OWNER)).map(subjectOf)).not.toContainEqual(
      expect.stringMatching(/now has access/),
    );
  }, 120_000);
});
