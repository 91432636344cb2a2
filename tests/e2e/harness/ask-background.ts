import type { LaunchedExtension } from './launch-extension';

/**
 * Sends one protocol message to the background from one of Keyward's own pages, as the options page would, and
 * returns the reply envelope (`{ ok, value }` or `{ ok: false, error }`). For test setup: importing a key,
 * opting a site in, locking.
 */
export async function askBackground(
  ext: LaunchedExtension,
  type: string,
  payload: unknown,
): Promise<unknown> {
  const page = await ext.openExtensionPage('options.html');
  try {
    return await page.evaluate(
      ([t, p]) =>
        (
          globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
        ).chrome.runtime.sendMessage({ type: t, payload: p }),
      [type, payload] as const,
    );
  } finally {
    await page.close();
  }
}
