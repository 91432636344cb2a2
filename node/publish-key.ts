import { z } from 'zod';
import { KeywardError } from '../shared/errors';
import { Email } from '../shared/identity';

const uploadAnswer = z.object({
  key_fpr: z.string(),
  token: z.string().min(1),
  status: z.record(z.string(), z.string()),
});

/**
 * Publishes a public key on a Keyward keyserver (or keys.openpgp.org) over VKS: uploads it and asks for a
 * verification mail to each address not published yet. An address is published only once its owner follows the
 * mailed link; until then nobody finds the key by it. Returns each address's state as the keyserver said it.
 */
export async function publishKey(options: {
  keyserverUrl: string;
  publicKey: string;
  addresses: readonly string[];
  fetch?: typeof fetch;
}): Promise<{ fingerprint: string; status: Record<string, string> }> {
  const base = options.keyserverUrl.replace(/\/+$/, '');
  const post = async (path: string, body: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (cause) {
      throw new KeywardError('unavailable', `The keyserver at ${base} did not answer.`, {}, { cause });
    }
    const answer: unknown = await response.json().catch(() => ({}));
    if (!response.ok) {
      const said = (answer as { error?: unknown }).error;
      throw new KeywardError(
        response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'unavailable' : 'invalid_input',
        `The keyserver at ${base} refused: ${typeof said === 'string' ? said.slice(0, 300) : `HTTP ${response.status}`}`,
      );
    }
    return answer;
  };
  const uploaded = uploadAnswer.safeParse(await post('/vks/v1/upload', { keytext: options.publicKey }));
  if (!uploaded.success)
    throw new KeywardError('unavailable', `The keyserver at ${base} sent an unreadable answer.`);
  const addresses = options.addresses.map((a) => Email.parse(a));
  const waiting = addresses.filter((a) => uploaded.data.status[a] !== 'published');
  const status = { ...uploaded.data.status };
  if (waiting.length > 0) {
    const asked = await post('/vks/v1/request-verify', { token: uploaded.data.token, addresses: waiting });
    Object.assign(status, (asked as { status?: Record<string, string> }).status ?? {});
  }
  return { fingerprint: uploaded.data.key_fpr, status };
}
