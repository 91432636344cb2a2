import type { ReleaseTarget } from './release-target';

/** What the service answered a release with, as the user is shown it. */
export interface ReleaseAnswer {
  readonly accepted: boolean;
  readonly status: number;
  /** The start of the service's answer, as plain text (never rendered as HTML). */
  readonly text: string;
}

/** How much of the service's answer is shown. */
const ANSWER_CHARS = 600;

/**
 * Posts a released copy to the service's release endpoint, from Keyward's decrypt page, on the user's click. The
 * request goes where the target says and nowhere else: a redirect is refused rather than followed (a 307 would
 * send the same body to wherever the service points it). The site's cookies go with it, as with the download it
 * answers: the copy reaches the user's account there, and only that origin's own cookies are sent.
 */
export async function deliverRelease({
  fetch: fetchFn = fetch,
  target,
  copy,
  timeoutMs = 60_000,
}: {
  fetch?: typeof fetch;
  target: ReleaseTarget;
  copy: Blob;
  timeoutMs?: number;
}): Promise<ReleaseAnswer> {
  let response: Response;
  try {
    response = await fetchFn(target.url, {
      method: 'POST',
      body: copy,
      headers: { 'content-type': 'application/pgp-encrypted' },
      credentials: 'include',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new Error(`${target.host} did not answer, so the copy was not delivered. Try again later.`);
  }
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    throw new Error(
      `${target.host} answered with a redirect to somewhere else; Keyward does not follow it with your file, ` +
        'so the copy was not delivered.',
    );
  }
  const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim();
  return {
    accepted: response.ok,
    status: response.status,
    text: text.length > ANSWER_CHARS ? `${text.slice(0, ANSWER_CHARS)}…` : text,
  };
}

/** One line for the user: what the service said. */
export function describeAnswer(target: ReleaseTarget, answer: ReleaseAnswer): string {
  const said = answer.text ? `: ${answer.text}` : '.';
  return answer.accepted
    ? `${target.host} accepted the file (HTTP ${answer.status})${said}`
    : `${target.host} refused the file (HTTP ${answer.status})${said}`;
}
