import { browser } from 'wxt/browser';

/**
 * Filenames of Keyward's own downloads, by URL: with an onDeterminingFilename listener present, Chromium forgets the
 * filename given to downloads.download unless the listener suggests it again.
 */
const ownFilenames = new Map<string, string>();

async function downloadOwn(url: string, filename: string): Promise<void> {
  ownFilenames.set(url, filename);
  try {
    await browser.downloads.download({ url, filename, saveAs: false });
  } finally {
    setTimeout(() => ownFilenames.delete(url), 10_000);
  }
}

/**
 * Saves text as a file through the browser's download manager. A Chromium service worker has no
 * URL.createObjectURL, so it gets a `data:` URL (fine for key-sized files); Firefox's event page uses a `blob:` URL.
 */
export async function saveTextFile(filename: string, text: string, mimeType: string): Promise<void> {
  if (typeof URL.createObjectURL === 'function') {
    const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
    try {
      await downloadOwn(url, filename);
    } finally {
      // The download has its own copy once started; a minute is ample.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
    return;
  }
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  await downloadOwn(`data:${mimeType};base64,${btoa(binary)}`, filename);
}

/** What Keyward reads of a download that is about to get its filename. */
export interface StartingDownload {
  readonly id: number;
  readonly url: string;
  readonly finalUrl: string;
  readonly filename: string;
  readonly mime: string;
  readonly referrer: string;
}

/**
 * Chromium: called for every download before its filename is fixed. `decide` resolves true to take the download
 * over (it is then cancelled and erased) or false to let it continue unchanged. Once an extension listens here the
 * browser waits for every download's answer, so each one gets exactly one, even when `decide` throws.
 * Firefox has no such event; there this does nothing.
 */
export function onDownloadStarting(decide: (download: StartingDownload) => Promise<boolean>): void {
  const event = (
    browser.downloads as { onDeterminingFilename?: typeof browser.downloads.onDeterminingFilename }
  ).onDeterminingFilename;
  if (!event) return;
  event.addListener((item, suggest) => {
    const own = ownFilenames.get(item.url);
    if (own !== undefined) {
      suggest({ filename: own, conflictAction: 'uniquify' });
      return;
    }
    void decide({
      id: item.id,
      url: item.url,
      finalUrl: item.finalUrl,
      filename: item.filename,
      mime: item.mime,
      referrer: item.referrer,
    })
      .catch(() => false)
      .then(async (takeOver) => {
        if (takeOver) {
          await browser.downloads.cancel(item.id).catch(() => undefined);
          await browser.downloads.erase({ id: item.id }).catch(() => undefined);
        }
        suggest();
      });
    return true; // answered asynchronously
  });
}
