import { describe, expect, it, vi } from 'vitest';
import { createDownloadWatcher, looksEncrypted } from './download-watcher';

const download = (over: Partial<Parameters<ReturnType<typeof createDownloadWatcher>>[0]>) => ({
  id: 1,
  url: 'https://files.example.com/d/report.pdf.pgp',
  finalUrl: 'https://files.example.com/d/report.pdf.pgp',
  filename: '/home/u/Downloads/report.pdf.pgp',
  mime: 'application/octet-stream',
  referrer: '',
  ...over,
});

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
  it('takes over an encrypted download from an opted-in site and hands it to the decrypt page', async () => {
    const decryptInTab = vi.fn(() => Promise.resolve());
    const watch = createDownloadWatcher({ isEnabled: () => Promise.resolve(true), decryptInTab });
    await expect(watch(download({}))).resolves.toBe(true);
    expect(decryptInTab).toHaveBeenCalledWith({
      url: 'https://files.example.com/d/report.pdf.pgp',
      name: 'report.pdf.pgp',
    });
  });

  it('takes over a page-made blob: download of an opted-in site, asking only about that site', async () => {
    const decryptInTab = vi.fn(() => Promise.resolve());
    const isEnabled = vi.fn((origin: string) => Promise.resolve(origin === 'https://files.example.com'));
    const watch = createDownloadWatcher({ isEnabled, decryptInTab });
    const url = 'blob:https://files.example.com/6c1e0a57-2f4b-4a7e-9d1a-0f3c2b1a9e8d';
    await expect(watch(download({ url, finalUrl: url }))).resolves.toBe(true);
    expect(isEnabled).toHaveBeenCalledWith('https://files.example.com');
    expect(decryptInTab).toHaveBeenCalledWith({ url, name: 'report.pdf.pgp' });
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
  ])('leaves alone %s', async (_name, item, enabled) => {
    const decryptInTab = vi.fn(() => Promise.resolve());
    const watch = createDownloadWatcher({ isEnabled: () => Promise.resolve(enabled), decryptInTab });
    await expect(watch(item)).resolves.toBe(false);
    expect(decryptInTab).not.toHaveBeenCalled();
  });
});
