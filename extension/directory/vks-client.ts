import { z } from 'zod';
import { KeywardError, type ErrorCode } from '../../shared/errors';
import type { AddressState } from '../model';

/**
 * A client for VKS v1 (keys.openpgp.org's API, which Keyward's keyserver speaks): upload a public key, ask for
 * verification mails. Failures become KeywardErrors a page can show as they are.
 */
export interface VksClientDeps {
  readonly fetch: typeof fetch;
  /** Gives up on a keyserver that does not answer within this time. */
  readonly timeoutMs?: number;
}

const uploadResponse = z.object({
  key_fpr: z.string(),
  token: z.string().min(1),
  status: z.record(z.string(), z.enum(['unpublished', 'pending', 'published', 'revoked'])),
});
const errorResponse = z.object({ error: z.string().max(500) });

/** A 4xx answer's status as our error code, so pages react the same as to the extension's own errors. */
const CODE_FOR_STATUS: Partial<Record<number, ErrorCode>> = {
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
};

export interface UploadResult {
  readonly fingerprint: string;
  readonly token: string;
  readonly status: Record<string, AddressState | 'revoked'>;
}

export function createVksClient({ fetch, timeoutMs = 15_000 }: VksClientDeps) {
  async function post(baseUrl: string, path: string, body: unknown): Promise<unknown> {
    const url = `${baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        credentials: 'omit',
      });
    } catch (cause) {
      throw new KeywardError(
        'unavailable',
        `The keyserver at ${baseUrl} did not answer. Check the keyserver address in the settings, or try again later.`,
        {},
        { cause },
      );
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok) return payload;
    const error = errorResponse.safeParse(payload);
    if (response.status === 429) {
      // Retry-After in seconds (our keyserver's form); an HTTP date or nonsense counts as a minute.
      const said = Number(response.headers.get('retry-after'));
      const seconds = Number.isFinite(said) && said > 0 ? Math.ceil(said) : 60;
      throw new KeywardError(
        'rate_limited',
        `The keyserver is limiting requests. Try again in ${seconds} seconds.`,
        { retryAfterSeconds: seconds },
      );
    }
    if (response.status >= 500 || !error.success) {
      throw new KeywardError('unavailable', `The keyserver at ${baseUrl} failed (HTTP ${response.status}).`);
    }
    throw new KeywardError(
      CODE_FOR_STATUS[response.status] ?? 'invalid_input',
      `Keyserver: ${error.data.error}`,
    );
  }

  return {
    async upload(baseUrl: string, armoredPublicKey: string): Promise<UploadResult> {
      const parsed = uploadResponse.safeParse(
        await post(baseUrl, '/vks/v1/upload', { keytext: armoredPublicKey }),
      );
      if (!parsed.success)
        throw new KeywardError('unavailable', `The keyserver at ${baseUrl} sent an unreadable answer.`);
      return { fingerprint: parsed.data.key_fpr, token: parsed.data.token, status: parsed.data.status };
    },
    async requestVerify(baseUrl: string, token: string, addresses: readonly string[]): Promise<void> {
      await post(baseUrl, '/vks/v1/request-verify', { token, addresses });
    },
  };
}

export type VksClient = ReturnType<typeof createVksClient>;
