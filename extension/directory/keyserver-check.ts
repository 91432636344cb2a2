import { KeywardError } from '../../shared/errors';

/** What the welcome page learns about a keyserver before the user sets up a key with it. */
export interface KeyserverCheck {
  readonly url: string;
  /** Answered, and said it is well (its store and mail work); false: it answered but reports a problem. */
  readonly healthy: boolean;
}

/**
 * Asks the keyserver at `url` whether it runs (its `/healthz`). Throws `unavailable` with a sentence for the user
 * when nothing answers there or what answers is not a Keyward keyserver.
 */
export async function checkKeyserver(
  fetchFn: typeof fetch,
  url: string,
  timeoutMs = 8000,
): Promise<KeyserverCheck> {
  const host = new URL(url).host;
  let response: Response;
  try {
    response = await fetchFn(`${url.replace(/\/+$/, '')}/healthz`, {
      credentials: 'omit',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new KeywardError(
      'unavailable',
      `Nothing answered at ${host}. Check the address (and that the keyserver is running), then try again.`,
      {},
      { cause },
    );
  }
  const body = (await response.json().catch(() => null)) as { status?: unknown } | null;
  if (body?.status === 'ok' && response.ok) return { url, healthy: true };
  if (body?.status === 'unhealthy') return { url, healthy: false };
  throw new KeywardError(
    'unavailable',
    `${host} answered, but not as a Keyward keyserver does (HTTP ${response.status}). Check the address.`,
  );
}
