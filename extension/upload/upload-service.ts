import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import { encryptFile } from '../../shared/openpgp';
import type { EncryptRequest, UploadReport } from '../messaging/upload-port';
import type { MessagePort } from '../platform/ports';
import { spoolStream } from '../platform/spool';
import type { SettingsStore } from '../settings/settings-store';
import type { SitesStore } from '../sites/sites-store';
import type { Vault } from '../vault/vault';

export interface UploadServiceDeps {
  readonly vault: Vault;
  /** Asks the user to unlock (a small Keyward window) and resolves once unlocked; rejects if they do not. */
  readonly askToUnlock: (origin: string) => Promise<void>;
  readonly sites: SitesStore;
  readonly settings: SettingsStore;
  readonly clock: Clock;
  readonly extensionId: string;
}

/** Progress goes to the page's toast about every this many bytes of ciphertext. */
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * The background's side of an upload: checks that the port comes from Keyward's content script in an opted-in
 * site, encrypts each file to the site's recipients (the user's default key), streaming into a spool file (memory
 * stays flat in file size), and answers with disk-backed `name.ext.pgp` files. Anything wrong is reported as `failed`, and the content script then uploads nothing.
 */
export function createUploadService(deps: UploadServiceDeps) {
  const { vault, sites, settings, clock, extensionId, askToUnlock } = deps;

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

  async function encryptAll(request: EncryptRequest, origin: string, report: (r: UploadReport) => void) {
    const defaultKey = (await vault.status()).defaultKey;
    if (!defaultKey) throw new Error('no-key');
    const recipient = await vault.publicKey(defaultKey.fingerprint);
    const signWith = await signingKey(defaultKey.fingerprint, origin);
    const out: File[] = [];
    const written: (() => Promise<void>)[] = [];
    try {
      for (const file of request.files) {
        out.push(await encryptOne(file));
      }
    } catch (error) {
      // One file of several failed: nothing is uploaded, so the others' ciphertext goes too.
      await Promise.all(written.map((discard) => discard()));
      throw error;
    }
    return { files: out, recipients: defaultKey.userIds.slice(0, 1) };

    async function encryptOne(file: File): Promise<File> {
      const encrypted = await encryptFile({
        plaintext: file.stream(),
        recipients: [recipient],
        date: clock.now(),
        filename: file.name,
        signingKey: signWith,
      });
      let reported = 0;
      const spooled = await spoolStream('upload', encrypted.ciphertext, (bytes) => {
        if (bytes - reported < PROGRESS_EVERY_BYTES) return;
        reported = bytes;
        report({ kind: 'progress', file: file.name, done: Math.min(bytes, file.size), total: file.size });
      });
      written.push(spooled.discard);
      return spooled.finish(`${file.name}.pgp`, 'application/pgp-encrypted');
    }
  }

  return function serve(port: MessagePort): void {
    const sender = port.sender;
    const origin = senderOrigin(sender);
    port.onMessage((message) => {
      void (async () => {
        const securityPhrase = (await settings.get()).securityPhrase;
        // Only our own content script, in a tab, on a site the user opted in. Anything else learns nothing.
        if (sender?.id !== extensionId || sender.tab === undefined) {
          port.disconnect();
          return;
        }
        // A frame whose site cannot be told (a sandboxed frame's opaque origin) fails closed, never through.
        if (origin === undefined) {
          const text = 'Keyward cannot tell which site this frame belongs to, so nothing was uploaded.';
          port.post({ kind: 'failed', message: text, securityPhrase } satisfies UploadReport);
          return;
        }
        if (!(await sites.isEnabled(origin))) {
          port.post({ kind: 'passthrough' } satisfies UploadReport);
          return;
        }
        const request = message as EncryptRequest;
        if (!Array.isArray(request.files) || !request.files.every((f) => f instanceof File)) {
          port.post({
            kind: 'failed',
            message: 'Keyward received no file.',
            securityPhrase,
          } satisfies UploadReport);
          return;
        }
        try {
          const result = await encryptAll(request, origin, (r) => port.post(r));
          port.post({ kind: 'done', ...result, securityPhrase } satisfies UploadReport);
        } catch (error) {
          port.post({ kind: 'failed', message: failureText(error), securityPhrase } satisfies UploadReport);
        }
      })();
    });
  };
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
