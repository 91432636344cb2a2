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

/** `askBackground` for set-up steps that must work: the reply's value, or a thrown error naming the message. */
export async function askBackgroundOk(
  ext: LaunchedExtension,
  type: string,
  payload: unknown,
): Promise<unknown> {
  const reply = (await askBackground(ext, type, payload)) as {
    ok: boolean;
    value?: unknown;
    error?: unknown;
  };
  if (!reply.ok) throw new Error(`${type} failed: ${JSON.stringify(reply.error)}`);
  return reply.value;
}
