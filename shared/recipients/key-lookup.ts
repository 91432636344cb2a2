import type { Clock } from '../clock';
import { KeywardError } from '../errors';
import type { Email } from '../identity';
import { readPublicKeys, type KeySummary, type PublicKeyEntry } from '../openpgp';
import { wkdUrls } from '../wkd';

/** Where a recipient's key can be looked up by address; the user orders (and may drop) them in the settings. */
export const LOOKUP_SOURCES = ['keyserver', 'wkd', 'keys.openpgp.org'] as const;
export type LookupSource = (typeof LOOKUP_SOURCES)[number];
export const DEFAULT_LOOKUP_ORDER: readonly LookupSource[] = LOOKUP_SOURCES;

export const SOURCE_NAMES: Record<LookupSource, string> = {
  keyserver: 'the Keyward keyserver',
  wkd: "the address's own domain (WKD)",
  'keys.openpgp.org': 'keys.openpgp.org',
};

/** One key a source served for the address, with what it says about it at the lookup date. */
export interface FoundKey {
  readonly armored: string;
  readonly summary: KeySummary;
  readonly source: LookupSource;
  readonly url: string;
}

export interface LookupResult {
  /** The key to use for the address, or null when no source had a usable one. */
  readonly usable: FoundKey | null;
  /**
   * Every key served with a user id for the address, usable or not (revoked, expired, unable to encrypt): a
   * caller merges those it already knows, so a revocation learnt here reaches the stored copy.
   */
  readonly seen: readonly FoundKey[];
  /** One line per source asked, for "where did it look" messages. */
  readonly attempts: readonly string[];
  /** Sources that could not be asked (down, too slow, refusing): "no key" from them means nothing. */
  readonly failed: readonly LookupSource[];
}

export interface KeyLookupDeps {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly keyserverUrl: () => Promise<string>;
  readonly order: () => Promise<readonly LookupSource[]>;
  /** The two WKD URLs of an address; tests point them at a local keyserver. Default: shared/wkd.ts. */
  readonly wkdUrls?: (email: Email) => { advanced: string; direct: string };
  readonly keysOpenpgpOrgUrl?: string;
  readonly timeoutMs?: number;
}

/** A key reply larger than this is a flooded certificate, not something to parse in the background. */
const MAX_REPLY_BYTES = 1024 * 1024;

type Fetched =
  { kind: 'keys'; body: Uint8Array | string } | { kind: 'none' } | { kind: 'failed'; why: string };

/**
 * Looks up a recipient's key by address, source after source in the user's order, until one serves a usable key:
 * a user id with that address, valid now, not revoked or expired, able to encrypt. A source that is down or
 * answers nonsense is noted and the next one asked; a key revoked in one source is never taken from a later one.
 */
export function createKeyLookup(deps: KeyLookupDeps) {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const kooUrl = deps.keysOpenpgpOrgUrl ?? 'https://keys.openpgp.org';
  const wkd = deps.wkdUrls ?? ((email: Email) => wkdUrls(email));

  async function get(url: string, accept: string): Promise<Fetched> {
    let response: Response;
    try {
      response = await deps.fetch(url, {
        headers: { accept },
        credentials: 'omit',
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return { kind: 'failed', why: timedOut ? `no answer within ${timeoutMs / 1000} s` : 'not reachable' };
    }
    if (response.status === 404 || response.status === 410) return { kind: 'none' };
    if (response.status === 429) return { kind: 'failed', why: 'limiting requests, try again later' };
    if (!response.ok) return { kind: 'failed', why: `failed (HTTP ${response.status})` };
    const declared = Number(response.headers.get('content-length'));
    if (declared > MAX_REPLY_BYTES) return { kind: 'failed', why: 'sent a key too large to use' };
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > MAX_REPLY_BYTES) return { kind: 'failed', why: 'sent a key too large to use' };
    if (body.byteLength === 0) return { kind: 'none' };
    return { kind: 'keys', body };
  }

  async function keysFrom(source: LookupSource, email: Email): Promise<{ url: string; fetched: Fetched }[]> {
    switch (source) {
      case 'keyserver': {
        const url = `${await deps.keyserverUrl()}/vks/v1/by-email/${encodeURIComponent(email)}`;
        return [{ url, fetched: await get(url, 'application/pgp-keys') }];
      }
      case 'keys.openpgp.org': {
        const url = `${kooUrl}/vks/v1/by-email/${encodeURIComponent(email)}`;
        return [{ url, fetched: await get(url, 'application/pgp-keys') }];
      }
      case 'wkd': {
        // Advanced method first; the direct method only when the advanced one has no answer (WKD draft §3.1).
        const urls = wkd(email);
        const advanced = await get(urls.advanced, 'application/octet-stream');
        if (advanced.kind === 'keys') return [{ url: urls.advanced, fetched: advanced }];
        const direct = await get(urls.direct, 'application/octet-stream');
        return [
          { url: urls.advanced, fetched: advanced },
          { url: urls.direct, fetched: direct },
        ];
      }
    }
  }

  return {
    async lookup(email: Email): Promise<LookupResult> {
      const date = deps.clock.now();
      const attempts: string[] = [];
      const seen: FoundKey[] = [];
      const revoked = new Set<string>();
      const failed: LookupSource[] = [];
      for (const source of await deps.order()) {
        const name = SOURCE_NAMES[source];
        const answers = await keysFrom(source, email);
        const failures = answers.flatMap((a) => (a.fetched.kind === 'failed' ? [a.fetched.why] : []));
        const withKeys = answers.filter((a) => a.fetched.kind === 'keys');
        if (withKeys.length === 0) {
          if (failures.length === answers.length) failed.push(source);
          attempts.push(`${name}: ${failures.length === answers.length ? failures[0] : 'no key'}`);
          continue;
        }
        const found: FoundKey[] = [];
        for (const { url, fetched } of withKeys) {
          if (fetched.kind !== 'keys') continue;
          let entries: PublicKeyEntry[];
          try {
            entries = await readPublicKeys(fetched.body, { date });
          } catch {
            attempts.push(`${name}: sent something that is not an OpenPGP key`);
            continue;
          }
          for (const { armored, summary } of entries) {
            // A revoked key lists no valid user ids any more; served for this address, it is kept so the
            // revocation can reach a stored copy.
            if (summary.emails.includes(email) || summary.revoked)
              found.push({ armored, summary, source, url });
          }
        }
        seen.push(...found);
        for (const k of found) if (k.summary.revoked) revoked.add(k.summary.fingerprint);
        const usable = found
          .filter((k) => isUsable(k.summary) && !revoked.has(k.summary.fingerprint))
          .sort((a, b) => b.summary.created - a.summary.created)[0];
        if (usable) {
          attempts.push(`${name}: found ${usable.summary.fingerprint}`);
          return { usable, seen, attempts, failed };
        }
        attempts.push(
          `${name}: ${found.length > 0 ? unusableReason(found[0]!.summary) : 'no key for this address'}`,
        );
      }
      return { usable: null, seen, attempts, failed };
    },

    /**
     * A known key again, by fingerprint, from the keyservers among the sources (WKD serves by address only): how
     * a revocation reaches a contact whose key no longer appears under its address. Null when none has it.
     */
    async byFingerprint(fingerprint: string): Promise<FoundKey | null> {
      const date = deps.clock.now();
      for (const source of await deps.order()) {
        if (source === 'wkd') continue;
        const base = source === 'keyserver' ? await deps.keyserverUrl() : kooUrl;
        const url = `${base}/vks/v1/by-fingerprint/${fingerprint.toUpperCase()}`;
        const fetched = await get(url, 'application/pgp-keys');
        if (fetched.kind !== 'keys') continue;
        const entries = await readPublicKeys(fetched.body, { date }).catch(() => []);
        const entry = entries.find((e) => e.summary.fingerprint === fingerprint.toUpperCase());
        if (entry) return { ...entry, source, url };
      }
      return null;
    },
  };
}

export type KeyLookup = ReturnType<typeof createKeyLookup>;

/** A key new files may be encrypted to: not revoked, not expired, with a subkey (or primary) that can encrypt. */
export function isUsable(summary: KeySummary): boolean {
  return !summary.revoked && !summary.expired && summary.canEncrypt;
}

export function unusableReason(summary: KeySummary): string {
  if (summary.revoked) return `key ${summary.fingerprint} is revoked`;
  if (summary.expired) return `key ${summary.fingerprint} has expired`;
  if (!summary.canEncrypt) return `key ${summary.fingerprint} cannot encrypt`;
  return `key ${summary.fingerprint} is usable`;
}

/** The error for a lookup that found nothing usable: says where it looked and what each place answered. */
export function notFoundError(
  email: Email,
  result: Pick<LookupResult, 'attempts'> & Partial<LookupResult>,
): KeywardError {
  const where = result.attempts.length > 0 ? result.attempts.join('; ') : 'no lookup source is turned on';
  return new KeywardError('not_found', `No usable key for ${email} was found. Looked in: ${where}.`);
}
