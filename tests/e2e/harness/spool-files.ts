import type { LaunchedExtension } from './launch-extension';

/**
 * The names of the upload spool files in the extension's private file system (extension/platform/spool.ts), read
 * from an extension page: it works while the service worker is stopped, and it does not wake it.
 */
export async function uploadSpoolFiles(ext: LaunchedExtension): Promise<string[]> {
  return inExtensionPage(ext, async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('keyward-spool', { create: true });
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.filter((name) => name.startsWith('upload-')).sort();
  });
}

/** Whether Keyward's offscreen document (Chromium) is open. */
export async function offscreenDocumentOpen(ext: LaunchedExtension): Promise<boolean> {
  return inExtensionPage(ext, async () => {
    const runtime = (
      globalThis as unknown as { chrome: { runtime: { getContexts(filter: object): Promise<unknown[]> } } }
    ).chrome.runtime;
    return (await runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] })).length > 0;
  });
}

async function inExtensionPage<T>(ext: LaunchedExtension, fn: () => Promise<T>): Promise<T> {
  const page = await ext.openExtensionPage('options.html');
  try {
    return await page.evaluate(fn);
  } finally {
    await page.close();
  }
}
