import type { StartingDownload } from '../platform/downloads';

/** `.pgp`, `.gpg` and `.asc` files, and OpenPGP's own content types (RFC 3156). */
export function looksEncrypted(download: Pick<StartingDownload, 'filename' | 'mime'>): boolean {
  return (
    /\.(pgp|gpg|asc)$/i.test(download.filename) ||
    /^application\/(pgp-encrypted|pgp|octet-stream\+pgp)$/i.test(download.mime)
  );
}

export interface DownloadWatcherDeps {
  readonly isEnabled: (origin: string) => Promise<boolean>;
  /** Hands the download to the decrypt page, which fetches it again with the site's cookies and decrypts it. */
  readonly decryptInTab: (request: { url: string; name: string }) => Promise<void>;
}

/**
 * Decrypt on download (Chromium): an encrypted file downloaded from an opted-in site is taken over; the decrypt
 * page fetches it again (with the site's cookies, through the host permission), asks to unlock if needed, and saves
 * the original file; for a page-made `blob:` URL, Keyward's content script in that site's tab reads it. Downloads
 * from other sites and data: URLs are left as they are.
 */
export function createDownloadWatcher({ isEnabled, decryptInTab }: DownloadWatcherDeps) {
  return async (download: StartingDownload): Promise<boolean> => {
    if (!looksEncrypted(download)) return false;
    const url = download.finalUrl || download.url;
    // A page-made blob: URL carries its page's origin (blob:https://site/uuid); the decrypt page asks Keyward's
    // content script there for it. data: URLs and other schemes are left alone.
    if (!/^(blob:)?https?:\/\//.test(url)) return false;
    if (!(await isEnabled(new URL(url).origin))) return false;
    const name = download.filename.split(/[\\/]/).pop() ?? 'file.pgp';
    await decryptInTab({ url, name });
    return true;
  };
}
