import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import { encryptFile } from '../../shared/openpgp';
import type { UploadReport, UploadRequest } from '../messaging/upload-port';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import type { MessagePort } from '../platform/ports';
import { everyFewMegabytes, newSpoolName, removeSpool, spooledFile, spoolStream } from '../platform/spool';
import type { SettingsStore } from '../settings/settings-store';
import type { SiteRecipientsResolver } from '../contacts/site-recipients';
import { outputFileName, type SitesStore } from '../sites/sites-store';
import type { Vault } from '../vault/vault';
import type { EncryptJob, EncryptJobResult } from './encrypt-job';
import { createStrictPicks } from './strict-picks';

export interface UploadServiceDeps {
  readonly vault: Vault;
  /** Asks the user to unlock (a small Keyward window) and resolves once unlocked; rejects if they do not. */
  readonly askToUnlock: (origin: string) => Promise<void>;
  readonly sites: SitesStore;
  /** The keys of the site's other recipients (groups, people), from the contacts keyring. */
  readonly recipients: SiteRecipientsResolver;
  readonly settings: SettingsStore;
  readonly clock: Clock;
  readonly extensionId: string;
  /** `chrome-extension://<id>/`: only Keyward's own picker page may hand over files for a strict-mode pick. */
  readonly extensionBaseUrl: string;
  /** Opens Keyward's picker page (strict mode) for this request id. */
  readonly openPicker: (id: string) => Promise<unknown>;
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

/**
 * The background's side of an upload: checks that the port comes from Keyward's content script in an opted-in
 * site, encrypts each file to the site's recipients (the user's default key), streaming into a spool file (memory
 * stays flat in file size), and answers with disk-backed `name.ext.pgp` files. Anything wrong is reported as
 * `failed`, and the content script then uploads nothing. Strict-mode picks: ./strict-picks.ts.
 */
export function createUploadService(deps: UploadServiceDeps) {
  const {
    vault,
    sites,
    recipients: others,
    settings,
    clock,
    extensionId,
    extensionBaseUrl,
    askToUnlock,
    openPicker,
    newId,
    encryptToSpool,
  } = deps;

  /** The default key, unlocked: uploads are signed with it. Locked: the user is asked, and the upload waits. */
  async function signingKey(fingerprint: string, origin: string) {
    try {
      return (await vault.use(fingerprint)).key;
    } catch (error) {
      if (!isKeywardError(error, 'forbidden') || error.details.locked !== 1) throw error;
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
    report: (r: UploadReport) => void,
    signal: AbortSignal,
  ) {
    const defaultKey = (await vault.status()).defaultKey;
    if (!defaultKey) throw new Error('no-key');
    const { outputName, recipients } = await sites.options(origin);
    // The others' keys first: a changed or revoked key stops the upload before the user is asked to unlock.
    const theirs = await others.keysForUpload(recipients);
    const own = await vault.publicKey(defaultKey.fingerprint);
    const signWith = await signingKey(defaultKey.fingerprint, origin);
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
      const onBytes = everyFewMegabytes((bytes) => {
        report({ kind: 'progress', file: file.name, done: Math.min(bytes, file.size), total: file.size });
      });
      const allRecipients = [own, ...theirs.map((k) => k.armored)];
      if (encryptToSpool) {
        const spoolName = newSpoolName('upload');
        written.push(() => removeSpool(spoolName));
        const job = {
          file,
          recipients: allRecipients,
          signingKey: signWith,
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
        signingKey: signWith,
      });
      const spooled = await spoolStream('upload', encrypted.ciphertext, onBytes, signal);
      written.push(spooled.discard);
      return spooled.finish(name, type);
    }
  }

  /** Encrypts for the content script's port and reports there (and to the picker page, if one chose the files). */
  async function encryptFor(
    content: MessagePort,
    origin: string,
    files: readonly File[],
    alsoReport: (r: UploadReport) => void = () => undefined,
  ): Promise<boolean> {
    const securityPhrase = (await settings.get()).securityPhrase;
    // The page went away (closed, navigated): its upload is stopped, and nothing of it is kept.
    const abandoned = new AbortController();
    content.onDisconnect(() => abandoned.abort(new Error('The page went away.')));
    try {
      const result = await encryptAll(
        files,
        origin,
        (r) => {
          content.post(r);
          alsoReport(r);
        },
        abandoned.signal,
      );
      content.post({ kind: 'done', ...result, securityPhrase } satisfies UploadReport);
      return true;
    } catch (error) {
      content.post({ kind: 'failed', message: failureText(error), securityPhrase } satisfies UploadReport);
      return false;
    }
  }

  function serve(port: MessagePort): void {
    const sender = port.sender;
    const origin = senderOrigin(sender);
    port.onMessage((message) => {
      // Any failure answers `failed`: the content script then uploads nothing and the notice says why.
      answer(message).catch(async (error: unknown) => {
        const securityPhrase = await settings.get().then(
          (s) => s.securityPhrase,
          () => '',
        );
        port.post({ kind: 'failed', message: failureText(error), securityPhrase } satisfies UploadReport);
      });
    });

    async function answer(message: unknown): Promise<void> {
      const securityPhrase = (await settings.get()).securityPhrase;
      // Only our own content script, in a tab, on a site the user opted in. Anything else learns nothing.
      if (sender?.id !== extensionId || sender.tab === undefined) {
        port.disconnect();
        return;
      }
      const request = message as Partial<UploadRequest> | null;
      // A frame whose site cannot be told (a sandboxed frame's opaque origin) fails closed, never through.
      if (origin === undefined) {
        if (request?.kind === 'mode') port.post({ kind: 'mode', strict: false } satisfies UploadReport);
        const text = 'Keyward cannot tell which site this frame belongs to, so nothing was uploaded.';
        port.post({ kind: 'failed', message: text, securityPhrase } satisfies UploadReport);
        return;
      }
      if (!(await sites.isEnabled(origin))) {
        port.post({ kind: 'passthrough' } satisfies UploadReport);
        return;
      }
      if (request?.kind === 'mode') {
        port.post({ kind: 'mode', strict: (await sites.options(origin)).strict } satisfies UploadReport);
        return;
      }
      if (request?.kind === 'pick') {
        await picks.start(port, origin, request, securityPhrase);
        return;
      }
      const files = request?.kind === 'encrypt' ? request.files : undefined;
      if (!Array.isArray(files) || !files.every((f) => f instanceof File)) {
        port.post({
          kind: 'failed',
          message: 'Keyward received no file.',
          securityPhrase,
        } satisfies UploadReport);
        return;
      }
      await encryptFor(port, origin, files);
    }
  }

  const picks = createStrictPicks({
    settings,
    recipientsFor,
    extensionBaseUrl,
    openPicker,
    newId,
    encryptFor,
  });

  return { serve, servePicker: picks.servePicker, recipientsFor };
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
function senderOrigin(sender: MessagePort['sender']): string | undefined {
  const candidate =
    sender?.origin ?? (sender?.url && URL.canParse(sender.url) ? new URL(sender.url).origin : undefined);
  return candidate !== undefined && /^https?:\/\//.test(candidate) ? candidate : undefined;
}

function failureText(error: unknown): string {
  if (error instanceof Error && error.message === 'no-key') {
    return 'Keyward has no key yet, so nothing was uploaded. Set up your key in Keyward’s settings.';
  }
  if (isKeywardError(error)) return `Nothing was uploaded: ${error.message}`;
  return 'Keyward could not encrypt this file, so nothing was uploaded.';
}
