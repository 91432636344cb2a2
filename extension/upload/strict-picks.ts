import type { AcceptorEnd } from '../messaging/channel';
import type { pickerChannel } from '../messaging/picker-channel';
import type { ContentScript, UploadReporter } from './upload-service';
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
    content: ContentScript,
    origin: string,
    files: readonly File[],
    alsoReport: Partial<UploadReporter>,
  ) => Promise<boolean>;
  /** Tells the content script (and the user, in the page's notice) that nothing was uploaded. */
  readonly failed: (content: ContentScript, message: string) => void;
}

type PickerPage = AcceptorEnd<typeof pickerChannel>;

interface Pick {
  readonly origin: string;
  readonly multiple: boolean;
  readonly accept: string;
  readonly directory: boolean;
  /** The content script's port, waiting for the encrypted files. */
  readonly content: ContentScript;
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
    content: ContentScript,
    origin: string,
    request: { multiple: boolean; accept: string; directory: boolean },
  ): Promise<void> {
    const id = newId();
    picks.set(id, {
      origin,
      multiple: request.multiple,
      accept: request.accept.slice(0, 1000),
      directory: request.directory,
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
  function servePicker(port: PickerPage): void {
    if (!isPickerPage(port)) {
      port.disconnect();
      return;
    }
    let id: string | undefined;
    let handedOver = false;
    port.onDisconnect(() => {
      const pick = id === undefined ? undefined : picks.get(id);
      if (!pick || handedOver) return;
      picks.delete(id!);
      pick.content.post({ kind: 'cancelled' });
    });
    port.onMessage((request) => {
      void (async () => {
        if (request.kind === 'ping') return;
        if (request.kind === 'hello' && id === undefined) {
          const pick = picks.get(request.id);
          if (!pick) {
            port.post({ kind: 'failed', message: 'This file picker is no longer wanted.' });
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
          });
          return;
        }
        const pick = id === undefined ? undefined : picks.get(id);
        const files = request.kind === 'files' ? request.files : undefined;
        if (!pick || !files) {
          port.post({ kind: 'failed', message: 'Keyward received no file.' });
          return;
        }
        handedOver = true;
        picks.delete(id!);
        const chosen = pick.multiple ? files : files.slice(0, 1);
        const ok = await encryptFor(pick.content, pick.origin, chosen, {
          progress: (file, done, total) => port.post({ kind: 'progress', file, done, total }),
        });
        port.post(
          ok ? { kind: 'done' } : { kind: 'failed', message: 'Nothing was uploaded; the page says why.' },
        );
      })();
    });
  }

  /** A message the picker channel's schema refused (no file, or not files): nothing is encrypted. */
  function refusePicker(port: PickerPage): void {
    if (isPickerPage(port)) port.post({ kind: 'failed', message: 'Keyward received no file.' });
    else port.disconnect();
  }

  function isPickerPage(port: PickerPage): boolean {
    return port.sender?.url?.startsWith(extensionBaseUrl) === true;
  }

  return { start, servePicker, refusePicker };
}
