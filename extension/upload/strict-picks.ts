import type { PickerReport, PickerRequest, UploadReport } from '../messaging/upload-port';
import type { UploadReporter } from './upload-service';
import type { MessagePort } from '../platform/ports';
import type { SettingsStore } from '../settings/settings-store';

export interface StrictPicksDeps {
  readonly settings: SettingsStore;
  readonly recipientsFor: (origin: string) => Promise<string[]>;
  /** `chrome-extension://<id>/`: only Keyward's own picker page may hand over files. */
  readonly extensionBaseUrl: string;
  /** Opens Keyward's picker page for this request id. */
  readonly openPicker: (id: string) => Promise<unknown>;
  readonly newId: () => string;
  /** Encrypts for the site and answers the content script's port; resolves to whether it worked. */
  readonly encryptFor: (
    content: MessagePort,
    origin: string,
    files: readonly File[],
    alsoReport: Partial<UploadReporter>,
  ) => Promise<boolean>;
  /** Tells the content script (and the user, in the page's notice) that nothing was uploaded. */
  readonly failed: (content: MessagePort, message: string) => void;
}

interface Pick {
  readonly origin: string;
  readonly multiple: boolean;
  readonly accept: string;
  readonly directory: boolean;
  /** The content script's port, waiting for the encrypted files. */
  readonly content: MessagePort;
}

/**
 * Strict mode's picks: a content script asks for files (instead of the browser's picker opening for the page),
 * Keyward's picker window opens with a random id in its URL, and the files chosen there are encrypted for the
 * site and handed to the waiting content script. Closing the window cancels: the page gets nothing.
 */
export function createStrictPicks(deps: StrictPicksDeps) {
  const { settings, recipientsFor, extensionBaseUrl, openPicker, newId, encryptFor, failed } = deps;
  const picks = new Map<string, Pick>();

  /** A content script of an opted-in site asks for files. */
  async function start(
    content: MessagePort,
    origin: string,
    request: { multiple?: unknown; accept?: unknown; directory?: unknown },
  ): Promise<void> {
    const id = newId();
    picks.set(id, {
      origin,
      multiple: request.multiple === true,
      accept: typeof request.accept === 'string' ? request.accept.slice(0, 1000) : '',
      directory: request.directory === true,
      content,
    });
    // The page navigated away or closed: nothing is waiting for the picker any more.
    content.onDisconnect(() => picks.delete(id));
    await openPicker(id).catch(() => {
      picks.delete(id);
      failed(content, 'Keyward could not open its file picker, so nothing was uploaded.');
    });
  }

  /**
   * Keyward's picker page: it introduces itself with its request id, gets what to show, and hands over the files
   * the user chose.
   */
  function servePicker(port: MessagePort): void {
    if (!port.sender?.url?.startsWith(extensionBaseUrl)) {
      port.disconnect();
      return;
    }
    let id: string | undefined;
    let handedOver = false;
    port.onDisconnect(() => {
      const pick = id === undefined ? undefined : picks.get(id);
      if (!pick || handedOver) return;
      picks.delete(id!);
      pick.content.post({ kind: 'cancelled' } satisfies UploadReport);
    });
    port.onMessage((message) => {
      void (async () => {
        const request = message as Partial<PickerRequest> | null;
        if (request?.kind === 'ping') return;
        if (request?.kind === 'hello' && typeof request.id === 'string' && id === undefined) {
          const pick = picks.get(request.id);
          if (!pick) {
            const text = 'This file picker is no longer wanted.';
            port.post({ kind: 'failed', message: text } satisfies PickerReport);
            return;
          }
          id = request.id;
          port.post({
            kind: 'request',
            site: new URL(pick.origin).host,
            multiple: pick.multiple,
            accept: pick.accept,
            directory: pick.directory,
            recipients: await recipientsFor(pick.origin),
            securityPhrase: (await settings.get()).securityPhrase,
          } satisfies PickerReport);
          return;
        }
        const pick = id === undefined ? undefined : picks.get(id);
        const files = request?.kind === 'files' ? request.files : undefined;
        if (!pick || !Array.isArray(files) || files.length === 0 || !files.every((f) => f instanceof File)) {
          port.post({ kind: 'failed', message: 'Keyward received no file.' } satisfies PickerReport);
          return;
        }
        handedOver = true;
        picks.delete(id!);
        const chosen = pick.multiple ? files : files.slice(0, 1);
        const ok = await encryptFor(pick.content, pick.origin, chosen, {
          progress: (file, done, total) =>
            port.post({ kind: 'progress', file, done, total } satisfies PickerReport),
        });
        const failed = { kind: 'failed', message: 'Nothing was uploaded; the page says why.' } as const;
        port.post((ok ? { kind: 'done' } : failed) satisfies PickerReport);
      })();
    });
  }

  return { start, servePicker };
}
