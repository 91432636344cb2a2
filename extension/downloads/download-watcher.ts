import type { StartingDownload } from '../platform/downloads';

/** `.pgp`, `.gpg` and `.asc` files, and OpenPGP's own content types (RFC 3156). */
export function looksEncrypted(download: Pick<StartingDownload, 'filename' | 'mime'>): boolean {
  return (
    /\.(pgp|gpg|asc)$/i.test(download.filename) ||
    /^application\/(pgp-encrypted|pgp|octet-stream\+pgp)$/i.test(download.mime)
  );
}

/** At most this many downloads of one site are offered for decryption in a minute; more are left as they are. */
const OFFERS_PER_MINUTE = 10;

export interface DownloadWatcherDeps {
  readonly isEnabled: (origin: string) => Promise<boolean>;
  /**
   * Opens the decrypt page, which offers the download: only when the user asks there does it fetch the file again
   * (with the site's cookies) or read it from the page that made it, decrypt it and save the original.
   */
  readonly offerInTab: (request: { url: string; name: string }) => Promise<void>;
  readonly now: () => number;
}

/**
 * Decrypt on download (Chromium): an encrypted file downloaded from an opted-in site is taken over and offered in
 * Keyward's decrypt page, where the user chooses to decrypt it (a page can start downloads, but cannot click there).
 * Only downloads the site started from its own pages are taken: a `blob:` URL it made, or a URL of that site whose
 * referrer is a page of that same site and which was not redirected from elsewhere. Fetching it again with the
 * site's cookies then sends nothing the browser's own request would not have sent; a download another site started
 * or redirected (which the browser sends fewer cookies with) is left as it is, saved encrypted. So are data: URLs,
 * other sites' downloads, and a site's downloads beyond a few a minute (a page starting downloads in a loop).
 */
export function createDownloadWatcher({ isEnabled, offerInTab, now }: DownloadWatcherDeps) {
  const offered = new Map<string, number[]>();

  function withinRate(origin: string): boolean {
    const recent = (offered.get(origin) ?? []).filter((at) => now() - at < 60_000);
    offered.set(origin, recent);
    if (recent.length >= OFFERS_PER_MINUTE) return false;
    recent.push(now());
    return true;
  }

  return async (download: StartingDownload): Promise<boolean> => {
    if (!looksEncrypted(download)) return false;
    const url = download.finalUrl || download.url;
    const origin = siteOf(url);
    if (origin === undefined || !(await isEnabled(origin))) return false;
    if (!url.startsWith('blob:') && !startedBySite(download, origin)) return false;
    if (!withinRate(origin)) return false;
    const name = download.filename.split(/[\\/]/).pop() ?? 'file.pgp';
    await offerInTab({ url, name });
    return true;
  };
}

/** The http(s) origin of a URL, also of a page-made blob:https://site/uuid; undefined for anything else. */
function siteOf(url: string): string | undefined {
  if (!/^(blob:)?https?:\/\//.test(url) || !URL.canParse(url)) return undefined;
  return new URL(url).origin;
}

/** The download was asked for by a page of `origin` itself, and was not redirected from another origin. */
function startedBySite(download: StartingDownload, origin: string): boolean {
  return siteOf(download.referrer) === origin && siteOf(download.url) === origin;
}
