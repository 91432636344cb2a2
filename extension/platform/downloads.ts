import { browser } from 'wxt/browser';

/**
 * Saves text as a file through the browser's download manager. A Chromium service worker has no
 * URL.createObjectURL, so it gets a `data:` URL (fine for key-sized files); Firefox's event page uses a `blob:` URL.
 */
export async function saveTextFile(filename: string, text: string, mimeType: string): Promise<void> {
  if (typeof URL.createObjectURL === 'function') {
    const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
    try {
      await browser.downloads.download({ url, filename, saveAs: false });
    } finally {
      // The download has its own copy once started; a minute is ample.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
    return;
  }
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  await browser.downloads.download({
    url: `data:${mimeType};base64,${btoa(binary)}`,
    filename,
    saveAs: false,
  });
}
