import type { Clock } from '../../shared/clock';
import { hasReason, isKeywardError, KeywardError } from '../../shared/errors';
import { encryptFile } from '../../shared/openpgp';
import type { AcceptorEnd, AcceptorHears } from '../messaging/channel';
import {
  NOTICE_REASONS,
  type NoticeReason,
  type UploadSource,
  type uploadChannel,
} from '../messaging/upload-channel';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { everyFewMegabytes, newSpoolName, removeSpool, spooledFile, spoolStream } from '../platform/spool';
import type { SettingsStore } from '../settings/settings-store';
import type { SiteRecipientsResolver } from '../contacts/site-recipients';
import { outputFileName, type SitesStore } from '../sites/sites-store';
import type { Vault } from '../vault/vault';
import type { EncryptJob, EncryptJobResult } from './encrypt-job-channel';
import type { NoticeBoard } from './notice-board';
import { createStrictPicks } from './strict-picks';

/** The content script's end of an upload port, as the background holds it. */
export type ContentScript = AcceptorEnd<typeof uploadChannel>;

export interface UploadServiceDeps {
  readonly vault: Vault;
  /** Asks the user to unlock (a small Keyward window) and resolves once unlocked; rejects if they do not. */
  readonly askToUnlock: (origin: string) => Promise<void>;
  readonly sites: SitesStore;
  /** The keys of the site's other recipients (groups, people), from the contacts keyring. */
  readonly recipients: SiteRecipientsResolver;
  readonly settings: SettingsStore;
  readonly notices: NoticeBoard;
  readonly clock: Clock;
  readonly extensionId: string;
  /** `chrome-extension://<id>/`: only Keyward's own picker page may hand over files for a strict-mode pick. */
  readonly extensionBaseUrl: string;
  /** Opens Keyward's picker page (strict mode) for this request id. */
  readonly openPicker: (id: string) => Promise<unknown>;
  /** Opens an http(s) URL in a new tab next to `tabId` (a link the user clicked in a protected page). */
  readonly openLink: (tabId: number, url: string, active: boolean) => Promise<void>;
  readonly newId: () => string;
  /**
   * Encrypts in a dedicated worker into a spool file (Chromium: the offscreen document's, ./encrypt-job.ts).
   * Without it (Firefox, tests) the background encrypts the file itself.
   */
  readonly encryptToSpool?: (
    job: EncryptJob,
    onProgress: (bytes: number) => void,
    signal: AbortSignal,
  ) => Promise<EncryptJobResult>;
}

/** How one request's progress and outcome reach the page's content script and the in-page notice. */
export interface UploadReporter {
  progress(file: string, done: number, total: number): void;
  done(files: readonly File[], names: readonly string[], recipients: readonly string[]): void;
  failed(message: string): void;
}

/**
 * The background's side of an upload: checks that the port comes from Keyward's content script in a tab whose site
 * (the frame's, or the tab's own page's) is opted in, encrypts each file to the site's recipients, streaming into a
 * spool file (memory stays flat in file size), and answers with disk-backed `name.ext.pgp` files. Anything wrong
 * is reported as `failed`, and the content script then uploads nothing. Strict-mode picks: ./strict-picks.ts.
 *
 * Every request here comes from the user's own action (Keyward's content script sends nothing for files a page made
 * itself): files are signed with the user's key, and a locked key asks to be unlocked; pasted files are encrypted
 * but not signed (the clipboard may hold what the page wrote) and never ask to unlock.
 */
export function createUploadService(deps: UploadServiceDeps) {
  const {
    vault,
    sites,
    recipients: others,
    settings,
    notices,
    clock,
    extensionId,
    extensionBaseUrl,
    askToUnlock,
    openPicker,
    openLink,
    newId,
    encryptToSpool,
  } = deps;

  /** The default key, unlocked: uploads are signed with it. Locked: the user is asked, and the upload waits. */
  async function signingKey(fingerprint: string, origin: string) {
    try {
      return (await vault.use(fingerprint)).key;
    } catch (error) {
      if (!hasReason(error, 'key_locked')) throw error;
      await askToUnlock(origin);
      return (await vault.use(fingerprint)).key;
    }
  }

  /** Who uploads on a site are encrypted for, from what is stored (for the picker and the popup). */
  async function recipientsFor(origin: string): Promise<string[]> {
    const defaultKey = (await vault.status()).defaultKey;
    if (!defaultKey) return [];
    const { encryptedFor } = await others.describe((await sites.options(origin)).recipients);
    return [youLabel(defaultKey), ...encryptedFor];
  }

  async function encryptAll(
    files: readonly File[],
    origin: string,
    source: UploadSource,
    report: UploadReporter,
    signal: AbortSignal,
  ) {
    const defaultKey = (await vault.status()).defaultKey;
    if (!defaultKey) {
      throw new KeywardError(
        'not_found',
        'Keyward has no key yet, so nothing was uploaded. Set up your key in Keyward’s settings.',
        { reason: 'no_key' },
      );
    }
    const { outputName, recipients, forGnuPG } = await sites.options(origin);
    // The others' keys first: a changed or revoked key stops the upload before the user is asked to unlock.
    const theirs = await others.keysForUpload(recipients);
    const own = await vault.publicKey(defaultKey.fingerprint);
    const signWith = source === 'paste' ? undefined : await signingKey(defaultKey.fingerprint, origin);
    const encryptedFor = [youLabel(defaultKey), ...theirs.map((k) => k.label)];
    const out: File[] = [];
    const written: (() => Promise<void>)[] = [];
    try {
      for (const file of files) {
        out.push(await encryptOne(file));
      }
    } catch (error) {
      // One file of several failed: nothing is uploaded, so the others' ciphertext goes too.
      await Promise.all(written.map((discard) => discard()));
      throw error;
    }
    return { files: out, recipients: encryptedFor };

    async function encryptOne(file: File): Promise<File> {
      const name = outputFileName(file.name, outputName);
      const type = 'application/pgp-encrypted';
      const onBytes = everyFewMegabytes((bytes) =>
        report.progress(file.name, Math.min(bytes, file.size), file.size),
      );
      const allRecipients = [own, ...theirs.map((k) => k.armored)];
      if (encryptToSpool) {
        const spoolName = newSpoolName('upload');
        written.push(() => removeSpool(spoolName));
        const job = {
          file,
          recipients: allRecipients,
          ...(signWith ? { signingKey: signWith } : {}),
          forGnuPG,
          date: clock.now().getTime(),
          spoolName,
        };
        await encryptToSpool(job, onBytes, signal);
        return spooledFile(spoolName, name, type);
      }
      await prepareStreamedHashes(); // the signature hashes the whole file
      const encrypted = await encryptFile({
        plaintext: file.stream(),
        plaintextLength: file.size, // a file cut short on disk meanwhile must fail, not upload its first part
        recipients: allRecipients,
        date: clock.now(),
        filename: file.name,
        ...(signWith ? { signingKey: signWith } : {}),
        forGnuPG,
      });
      const spooled = await spoolStream('upload', encrypted.ciphertext, onBytes, signal);
      written.push(spooled.discard);
      return spooled.finish(name, type);
    }
  }

  /** A reporter that tells the content script (no names, no phrase) and the notice frame (the words). */
  function reporterFor(content: ContentScript): UploadReporter {
    const notice = notices.open();
    content.post({ kind: 'notice', id: notice });
    return {
      progress(file, done, total) {
        const fraction = done / Math.max(1, total);
        void notices.show(notice, 'working', `Encrypting ${file}…`, fraction);
        content.post({ kind: 'progress', fraction: Math.min(1, fraction) });
      },
      done(files, names, recipients) {
        void notices.show(notice, 'done', `Encrypted ${names.join(', ')} for: ${recipients.join(', ')}`);
        content.post({ kind: 'done', files: [...files] });
      },
      failed(message) {
        void notices.show(notice, 'failed', message);
        content.post({ kind: 'failed' });
      },
    };
  }

  /** Encrypts for the content script's port and reports there (and to the picker page, if one chose the files). */
  async function encryptFor(
    content: ContentScript,
    origin: string,
    files: readonly File[],
    source: UploadSource,
    alsoReport: Partial<UploadReporter> = {},
  ): Promise<boolean> {
    const reporter = reporterFor(content);
    // The page went away (closed, navigated): its upload is stopped, and nothing of it is kept.
    const abandoned = new AbortController();
    content.onDisconnect(() => abandoned.abort(new Error('The page went away.')));
    try {
      const result = await encryptAll(
        files,
        origin,
        source,
        {
          ...reporter,
          progress(file, done, total) {
            reporter.progress(file, done, total);
            alsoReport.progress?.(file, done, total);
          },
        },
        abandoned.signal,
      );
      reporter.done(
        result.files,
        result.files.map((f) => f.name),
        result.recipients,
      );
      return true;
    } catch (error) {
      reporter.failed(failureText(error));
      return false;
    }
  }

  /**
   * Serves one content script's port. A request the channel's schema refused (a file that is not one, an unknown
   * kind, a field too many) never gets here: the background's route answers it with `refuse`.
   */
  function serve(port: ContentScript): void {
    port.onMessage((request) => {
      // Any failure answers `failed`: the content script then uploads nothing and the notice says why.
      answer(port, request).catch((error: unknown) => reporterFor(port).failed(failureText(error)));
    });
  }

  /**
   * A request the channel's schema refused: for a content script in a tab, `failed` (nothing is uploaded); a notice
   * asked for with a reason not on the closed list (NOTICE_REASONS) shows nothing and is answered nothing.
   */
  function refuse(port: ContentScript, request: unknown): void {
    if (!isContentScript(port.sender)) {
      port.disconnect();
      return;
    }
    if (isNoticeRequest(request)) return;
    reporterFor(port).failed('Keyward received no file.');
  }

  function isContentScript(sender: ContentScript['sender']): sender is NonNullable<
    ContentScript['sender']
  > & {
    tab: { id?: number };
  } {
    return sender?.id === extensionId && sender.tab !== undefined;
  }

  async function answer(port: ContentScript, request: AcceptorHears<typeof uploadChannel>): Promise<void> {
    const sender = port.sender;
    // Only our own content script, in a tab. Anything else learns nothing.
    if (!isContentScript(sender)) {
      port.disconnect();
      return;
    }
    const site = await protectedSite(sender);
    if (site.kind === 'unknown') {
      // A frame whose site cannot be told (a sandboxed frame's opaque origin, in a tab of a site not opted in):
      // it fails closed, never through.
      if (request.kind === 'mode') port.post({ kind: 'mode', strict: false });
      reporterFor(port).failed(
        'Keyward cannot tell which site this frame belongs to, so nothing was uploaded.',
      );
      return;
    }
    if (site.kind === 'not-protected') {
      port.post({ kind: 'passthrough' });
      return;
    }
    const origin = site.origin;
    switch (request.kind) {
      case 'mode':
        port.post({ kind: 'mode', strict: (await sites.options(origin)).strict });
        return;
      case 'pick':
        await picks.start(port, origin, request);
        return;
      case 'notice':
        await showNotice(port, request.reason);
        return;
      case 'open-link': {
        const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
        if (url && (url.protocol === 'https:' || url.protocol === 'http:') && sender.tab.id !== undefined) {
          await openLink(sender.tab.id, url.href, request.active);
        }
        port.post({ kind: 'opened' });
        return;
      }
      case 'encrypt':
        await encryptFor(port, origin, request.files, request.source);
        return;
    }
  }

  async function showNotice(port: ContentScript, reason: NoticeReason): Promise<void> {
    // The reason came from a content script: the channel's schema admits only the closed list, and only one of
    // the known reasons names words here (not `toString`, say) whatever reached this function.
    if (!(NOTICE_REASONS as readonly unknown[]).includes(reason)) return;
    const words = NOTICE_WORDS[reason];
    const notice = notices.open();
    port.post({ kind: 'notice', id: notice });
    await notices.show(notice, words.state, words.text);
  }

  /**
   * The opted-in site a content script's frame belongs to: its own origin if opted in, else the origin of the page
   * in its tab (a frame of another port or an opaque-origin frame inside a protected page is protected as that
   * page). `unknown`: the frame's origin cannot be told and its tab's page is not opted in either.
   */
  async function protectedSite(
    sender: NonNullable<ContentScript['sender']>,
  ): Promise<{ kind: 'site'; origin: string } | { kind: 'not-protected' } | { kind: 'unknown' }> {
    const own = senderOrigin(sender);
    if (own !== undefined && (await sites.isEnabled(own))) return { kind: 'site', origin: own };
    const top = tabOrigin(sender);
    if (top !== undefined && (await sites.isEnabled(top))) return { kind: 'site', origin: top };
    return own === undefined ? { kind: 'unknown' } : { kind: 'not-protected' };
  }

  const picks = createStrictPicks({
    settings,
    recipientsFor,
    extensionBaseUrl,
    openPicker,
    newId,
    encryptFor: (content, origin, files, alsoReport) =>
      encryptFor(content, origin, files, 'pick', alsoReport),
    failed: (content, message) => reporterFor(content).failed(message),
  });

  return { serve, refuse, servePicker: picks.servePicker, refusePicker: picks.refusePicker, recipientsFor };
}

/** The user's own key as recipient lists show it. */
export function youLabel(key: { userIds: readonly string[]; fingerprint: string }): string {
  return `you (${key.userIds[0] ?? key.fingerprint})`;
}

/**
 * The site a content script runs for. Chromium's `sender.origin` is right for about:blank and about:srcdoc frames
 * (their parent's origin); their `url` says only "about:srcdoc". Firefox gives no origin: its url is used, and
 * about: URLs there have no usable origin and fail closed.
 */
function senderOrigin(sender: ContentScript['sender']): string | undefined {
  const candidate =
    sender?.origin ?? (sender?.url && URL.canParse(sender.url) ? new URL(sender.url).origin : undefined);
  return candidate !== undefined && /^https?:\/\//.test(candidate) ? candidate : undefined;
}

/** The origin of the page in the sender's tab (readable for sites Keyward holds a host permission for). */
function tabOrigin(sender: ContentScript['sender']): string | undefined {
  const url = (sender?.tab as { url?: string } | undefined)?.url;
  if (url === undefined || !URL.canParse(url)) return undefined;
  const origin = new URL(url).origin;
  return /^https?:\/\//.test(origin) ? origin : undefined;
}

function isNoticeRequest(request: unknown): boolean {
  return typeof request === 'object' && request !== null && (request as { kind?: unknown }).kind === 'notice';
}

function failureText(error: unknown): string {
  if (hasReason(error, 'no_key')) return error.message;
  if (isKeywardError(error)) return `Nothing was uploaded: ${error.message}`;
  return 'Keyward could not encrypt this file, so nothing was uploaded.';
}

/** The notices a content script may ask for, by reason: what the user reads, never anything the page chose. */
const NOTICE_WORDS: Record<NoticeReason, { state: 'stopped' | 'failed'; text: string }> = {
  'stopped-rewrite': {
    state: 'stopped',
    text:
      'Keyward stopped this page: it rewrote itself after it had loaded, so Keyward could no longer be sure to ' +
      'see your files first. Reload the page to use it again.',
  },
  'cannot-protect': {
    state: 'stopped',
    text:
      'Keyward cannot protect this page: it is shown inside a page of another site, where the browser does not ' +
      'let Keyward take your clicks from the page. Files you give it here may reach it unencrypted. Open the site ' +
      'in a tab of its own.',
  },
  'frame-off': {
    state: 'failed',
    text:
      'Keyward switched off this frame in the page: the page could see what you do in a frame before Keyward ' +
      'does, so clicks, typing and files there reach nothing. Use the page outside the frame, or open what the ' +
      'frame shows in a tab of its own.',
  },
};
