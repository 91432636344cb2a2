import { describe, expect, it, vi } from 'vitest';
import { createDownloadWatcher, looksEncrypted } from './download-watcher';

const download = (over: Partial<Parameters<ReturnType<typeof createDownloadWatcher>>[0]>) => ({
  id: 1,
  url: 'https://files.example.com/d/report.pdf.pgp',
  finalUrl: 'https://files.example.com/d/report.pdf.pgp',
  filename: '/home/u/Downloads/report.pdf.pgp',
  mime: 'application/octet-stream',
  referrer: 'https://files.example.com/list',
  ...over,
});

function watcher(isEnabled: (origin: string) => Promise<boolean> = () => Promise.resolve(true)) {
  const offerInTab = vi.fn(() => Promise.resolve());
  let now = 1_000_000;
  const watch = createDownloadWatcher({ isEnabled, offerInTab, now: () => now });
  return { watch, offerInTab, later: (ms: number) => (now += ms) };
}

describe('looksEncrypted', () => {
  it.each([
    ['a.pgp', '', true],
    ['a.GPG', '', true],
    ['a.asc', '', true],
    ['a.pdf', 'application/pgp-encrypted', true],
    ['a.pdf', 'application/pdf', false],
    ['a.pgp.pdf', '', false],
  ])('%s (%s): %s', (filename, mime, expected) => expect(looksEncrypted({ filename, mime })).toBe(expected));
});

describe('download watcher', () => {
  it('offers an encrypted download a page of an opted-in site started, in the decrypt page', async () => {
    const { watch, offerInTab } = watcher();
    await expect(watch(download({}))).resolves.toBe(true);
    expect(offerInTab).toHaveBeenCalledWith({
      url: 'https://files.example.com/d/report.pdf.pgp',
      name: 'report.pdf.pgp',
    });
  });

  it('takes over a page-made blob: download of an opted-in site, asking only about that site', async () => {
    const isEnabled = vi.fn((origin: string) => Promise.resolve(origin === 'https://files.example.com'));
    const { watch, offerInTab } = watcher(isEnabled);
    const url = 'blob:https://files.example.com/6c1e0a57-2f4b-4a7e-9d1a-0f3c2b1a9e8d';
    await expect(watch(download({ url, finalUrl: url, referrer: '' }))).resolves.toBe(true);
    expect(isEnabled).toHaveBeenCalledWith('https://files.example.com');
    expect(offerInTab).toHaveBeenCalledWith({ url, name: 'report.pdf.pgp' });
  });

  it.each([
    ['a site not opted in', download({}), false],
    ['a page-made data: URL', download({ url: 'data:application/pgp-encrypted,x', finalUrl: '' }), true],
    [
      'a blob: URL of a site not opted in',
      download({ url: 'blob:https://other.example/x', finalUrl: '' }),
      false,
    ],
    ['a plain file', download({ filename: 'report.pdf', mime: 'application/pdf' }), true],
    // Fetched again with the opted-in site's cookies, these would send cookies the browser itself withheld.
    ['cookie theft: a download another site started', download({ referrer: 'https://evil.example/' }), true],
    ['cookie theft: a download without a referrer', download({ referrer: '' }), true],
    [
      'cookie theft: a download another site redirected to the opted-in site',
      download({ url: 'https://evil.example/go' }),
      true,
    ],
  ])('leaves alone %s', async (_name, item, enabled) => {
    const { watch, offerInTab } = watcher(() => Promise.resolve(enabled));
    await expect(watch(item)).resolves.toBe(false);
    expect(offerInTab).not.toHaveBeenCalled();
  });

  it('a page starting downloads in a loop gets a few offers a minute; the rest are saved as they are', async () => {
    const { watch, offerInTab, later } = watcher();
    const results = [];
    for (let i = 0; i < 13; i++) results.push(await watch(download({})));
    expect(results).toEqual([...Array<boolean>(10).fill(true), false, false, false]);
    later(61_000);
    await expect(watch(download({}))).resolves.toBe(true);
    expect(offerInTab).toHaveBeenCalledTimes(11);
  });
});
