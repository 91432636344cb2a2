import { Email } from '../../shared/identity';

/** The link relation a service's download response names its release endpoint with (docs/security.md). */
export const RELEASE_REL = 'keyward-release';

/**
 * Where a service takes a released file, as its download response advertised it:
 * `Link: </records/ID/release>; rel="keyward-release"; address="records@example.org"`.
 */
export interface ReleaseTarget {
  /** Where the copy is posted: same origin as the download, https (or http on this machine). */
  readonly url: string;
  /** The address whose published key the copy is shared with. */
  readonly address: Email;
  /** The service's host, as the user is shown it. */
  readonly host: string;
}

export type ReleaseAdvert =
  | { readonly kind: 'none' }
  | { readonly kind: 'target'; readonly target: ReleaseTarget }
  /** The response named a release endpoint Keyward will not use, and why (shown to the user). */
  | { readonly kind: 'refused'; readonly problem: string };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads the release endpoint a download response advertises in its Link header, and checks it: one link with
 * the relation, an `address` parameter that is an e-mail address, a URL on the download's own origin (the
 * download's URL and the URL it was finally served from), over https or on this machine. Anything else is refused,
 * never used: a page's server could otherwise name another site to receive the user's file.
 */
export function readReleaseAdvert(
  linkHeader: string | null,
  downloadUrl: string,
  responseUrl: string = downloadUrl,
): ReleaseAdvert {
  if (!linkHeader) return { kind: 'none' };
  let links: ParsedLink[];
  try {
    links = parseLinkHeader(linkHeader);
  } catch {
    return refused('its Link header cannot be read');
  }
  const ours = links.filter((l) =>
    (l.params.get('rel') ?? '').toLowerCase().split(/\s+/).includes(RELEASE_REL),
  );
  if (ours.length === 0) return { kind: 'none' };
  if (ours.length > 1) return refused('it names more than one place to release files to');
  const link = ours[0]!;
  const address = Email.tryParse(link.params.get('address') ?? '');
  if (!address) return refused('it names no valid e-mail address for the service');
  let download: URL;
  let served: URL;
  let url: URL;
  try {
    download = new URL(downloadUrl);
    served = new URL(responseUrl);
    url = new URL(link.target, served);
  } catch {
    return refused('its release address is not a URL');
  }
  if (url.username || url.password) return refused('its release address carries a user name or password');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    return refused('its release address is not https');
  }
  if (url.origin !== download.origin || url.origin !== served.origin) {
    return refused(`its release address is on another site (${url.host}), not ${download.host}`);
  }
  url.hash = '';
  return { kind: 'target', target: { url: url.href, address, host: url.host } };
}

function refused(why: string): ReleaseAdvert {
  return { kind: 'refused', problem: `This download names a service to release it to, but ${why}.` };
}

interface ParsedLink {
  readonly target: string;
  /** Parameter names lower-cased; the first occurrence of each wins (RFC 8288, section 3). */
  readonly params: ReadonlyMap<string, string>;
}

/** A Link header's links (RFC 8288): `<target>; name=token; name="quoted", <target>...`. Throws on a malformed one. */
export function parseLinkHeader(header: string): ParsedLink[] {
  const links: ParsedLink[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < header.length && /[ \t]/.test(header[i]!)) i += 1;
  };
  while (i < header.length) {
    skipSpace();
    if (header[i] === ',') {
      i += 1;
      continue;
    }
    if (i >= header.length) break;
    if (header[i] !== '<') throw new Error('a link starts with <');
    const end = header.indexOf('>', i);
    if (end < 0) throw new Error('an unclosed <');
    const target = header.slice(i + 1, end).trim();
    i = end + 1;
    const params = new Map<string, string>();
    for (;;) {
      skipSpace();
      if (i >= header.length || header[i] === ',') break;
      if (header[i] !== ';') throw new Error('parameters are separated by ;');
      i += 1;
      skipSpace();
      const name = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(header.slice(i))?.[0];
      if (!name) throw new Error('a parameter needs a name');
      i += name.length;
      skipSpace();
      let value = '';
      if (header[i] === '=') {
        i += 1;
        skipSpace();
        if (header[i] === '"') {
          i += 1;
          while (i < header.length && header[i] !== '"') {
            if (header[i] === '\\') i += 1;
            value += header[i] ?? '';
            i += 1;
          }
          if (header[i] !== '"') throw new Error('an unclosed quoted string');
          i += 1;
        } else {
          value = /^[^\s;,]*/.exec(header.slice(i))![0];
          i += value.length;
        }
      }
      const key = name.toLowerCase();
      if (!params.has(key)) params.set(key, value);
    }
    links.push({ target, params });
  }
  return links;
}
