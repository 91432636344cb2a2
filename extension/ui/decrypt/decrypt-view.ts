import { decryptChannel } from '../../messaging/decrypt-channel';
import { sendMessage } from '../../messaging/send-message';
import { openChannel } from '../../messaging/runtime-channels';
import { fetchForDecrypt, hostOf } from '../../downloads/fetch-for-decrypt';
import { safeFileName } from '../../../shared/safe-file-name';
import { formatBytes } from '../format';
import { addressList, chosenGroups, groupCheckboxes } from '../recipient-picker';
import { requiredElement } from '../required-element';
import { mountUnlockForm } from '../unlock-form';
import type { ReleaseAdvert } from '../../downloads/release-target';
import { mountRelease } from './release-section';

/** The decrypt page: a file in, the background decrypts it, a Save link out (only for a fully verified result). */
export function mountDecryptPage(doc: Document): void {
  const input = requiredElement('file', HTMLInputElement);
  const status = requiredElement('status', HTMLParagraphElement);
  const error = requiredElement('error', HTMLParagraphElement);
  const result = requiredElement('result', HTMLParagraphElement);
  const save = requiredElement('save', HTMLAnchorElement);
  const unlockForm = requiredElement('unlock-form', HTMLFormElement);
  const passwordForm = requiredElement('password-form', HTMLFormElement);
  const encryptedTo = requiredElement('encrypted-to', HTMLParagraphElement);
  const risky = requiredElement('risky', HTMLParagraphElement);
  const share = mountShare();
  const release = mountRelease();
  /** Where the service that served the current download takes releases, if it said so (release-target.ts). */
  let advert: ReleaseAdvert = { kind: 'none' };
  let current: File | undefined;
  let locked: string | undefined;
  let autoSaveCurrent = false;
  /**
   * Deletes the fetched ciphertext's spool file once it is no longer needed (failed for good, another file, the
   * page closed); a decrypted one is kept for sharing or releasing it.
   */
  let discardFetched: (() => Promise<void>) | undefined;
  const dropFetched = () => {
    void discardFetched?.();
    discardFetched = undefined;
  };

  const show = (message: string, isError = false) => {
    status.textContent = isError ? '' : message;
    error.textContent = isError ? message : '';
    error.hidden = !isError;
  };

  /**
   * Offers `file` for saving under a safe name (shared/safe-file-name.ts). It is saved at once when `now`, unless it
   * is a kind of file that runs something when opened: then the user is told so and clicks Save themselves.
   */
  function offer(file: File, now: boolean): { name: string; saved: boolean } {
    if (save.href.startsWith('blob:')) URL.revokeObjectURL(save.href);
    const { name, risky: isRisky } = safeFileName(file.name);
    save.href = URL.createObjectURL(file);
    save.download = name;
    save.textContent = `Save ${name}`;
    result.hidden = false;
    risky.hidden = !isRisky;
    risky.textContent = isRisky
      ? `${name} is a kind of file that can run a program or scripts when you open it. Save it only if you ` +
        'trust whoever made it, and open it with care.'
      : '';
    const saved = now && !isRisky;
    if (saved) save.click();
    return { name, saved };
  }

  function saveAsIs(file: File): void {
    offer(file, true);
  }

  function decrypt(file: File, autoSave = false, password?: string): void {
    current = file;
    result.hidden = true;
    risky.hidden = true;
    encryptedTo.hidden = true;
    share.offer(undefined);
    release.offer(undefined);
    unlockForm.hidden = true;
    passwordForm.hidden = true;
    if (save.href.startsWith('blob:')) URL.revokeObjectURL(save.href);
    show(`Decrypting ${file.name}…`);
    const port = openChannel(decryptChannel);
    port.onMessage((report) => {
      if (report.kind === 'progress') {
        show(`Decrypting ${file.name}… ${Math.round((100 * report.done) / Math.max(1, report.total))}%`);
        return;
      }
      port.disconnect();
      if (report.kind === 'locked') {
        locked = report.fingerprint;
        requiredElement('unlock-label', HTMLSpanElement).textContent = `Passphrase of ${report.userId}`;
        unlockForm.hidden = false;
        show(`${file.name} is encrypted to your key ${report.userId}, which is locked.`);
        passphrase.focus();
      } else if (report.kind === 'password') {
        passwordForm.hidden = false;
        const field = passwordForm.elements.namedItem('password') as HTMLInputElement;
        if (report.wrong) {
          show('That password does not open this file. Check it and try again.', true);
          field.select();
        } else show(`${file.name} is encrypted with a password, not to your key.`);
        field.focus();
      } else if (report.kind === 'not-for-me') {
        if (autoSave) {
          // A download Keyward took over but cannot decrypt (a public key, a file for someone else): the user
          // still gets the file they downloaded, as it is.
          saveAsIs(file);
          show(`${report.message} Saved ${file.name} as it is, still encrypted. You can close this tab.`);
        } else {
          dropFetched();
          show(`${report.message} Nothing was decrypted.`, true);
        }
      } else if (report.kind === 'failed') {
        dropFetched();
        show(report.message, true);
      } else if (report.kind === 'shared') {
        // Not asked for by this port (share has a port of its own).
      } else {
        encryptedTo.textContent = `Encrypted to: ${report.encryptedTo.join(', ')}.`;
        encryptedTo.hidden = false;
        share.offer(file);
        release.offer(file, advert);
        const { name, saved } = offer(report.file, autoSave);
        show(
          saved
            ? `Saved ${name}, decrypted with ${report.decryptedWith}. You can close this tab.`
            : `Decrypted with ${report.decryptedWith}; the file is complete and unaltered; ${report.signature}.`,
        );
      }
    });
    port.post({ kind: 'decrypt', file, ...(password === undefined ? {} : { password }) });
  }

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    autoSaveCurrent = false;
    advert = { kind: 'none' };
    dropFetched();
    if (file) decrypt(file);
  });
  const fromDownload = downloadRequest(doc.location.hash);
  if (fromDownload) offerDownload(fromDownload);

  /**
   * A download Keyward took over: nothing is fetched or decrypted until the user asks here (a web page can start
   * downloads at will, but cannot click in this page).
   */
  function offerDownload(request: { url: string; name: string }): void {
    const section = requiredElement('offer', HTMLElement);
    const decryptButton = requiredElement('offer-decrypt', HTMLButtonElement);
    const keepButton = requiredElement('offer-keep', HTMLButtonElement);
    const name = safeFileName(request.name, 'download.pgp').name;
    requiredElement('offer-text', HTMLParagraphElement).textContent =
      `${hostOf(request.url)} offers ${name}, encrypted. Decrypt it and save the original, or save it as it is.`;
    section.hidden = false;
    // Nothing is focused, and the buttons wake only a moment after the user can see them: the page that started
    // the download may time it for when the user is typing, so that a key meant for the page would decrypt.
    enableWhenSeen(doc, [decryptButton, keepButton]);
    const fetchThen = (then: (file: File) => void) => {
      section.hidden = true;
      const fetching = `Fetching ${name} from ${hostOf(request.url)}…`;
      show(fetching);
      fetchForDecrypt({ url: request.url, name }, (bytes) => show(`${fetching} ${formatBytes(bytes)}`))
        .then(({ file, discard, release: offered }) => {
          discardFetched = discard;
          advert = offered;
          then(file);
        })
        .catch((e: unknown) => show(e instanceof Error ? e.message : String(e), true));
    };
    decryptButton.addEventListener('click', () =>
      fetchThen((file) => {
        autoSaveCurrent = true;
        decrypt(file, true);
      }),
    );
    keepButton.addEventListener('click', () =>
      fetchThen((file) => {
        saveAsIs(file);
        dropFetched();
        show(`Saved ${file.name} as it is, still encrypted. You can close this tab.`);
      }),
    );
  }
  doc.defaultView?.addEventListener('pagehide', dropFetched);
  doc.addEventListener('dragover', (event) => event.preventDefault());
  doc.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    autoSaveCurrent = false;
    advert = { kind: 'none' };
    dropFetched();
    decrypt(file);
  });
  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const password = (passwordForm.elements.namedItem('password') as HTMLInputElement).value;
    if (current && password) decrypt(current, autoSaveCurrent, password);
  });
  // Read only once a file turned out to be locked, after this ran.
  const passphrase = mountUnlockForm(unlockForm, {
    error,
    fingerprint: () => locked,
    unlocked: () => {
      if (current) decrypt(current, autoSaveCurrent);
    },
  });
}

/**
 * Share later, offered once a file decrypted (so it is one of the user's): choose groups and people, the background
 * adds a key packet for each, and the new copy is saved under the same name.
 */
function mountShare(): { offer: (file: File | undefined) => void } {
  const section = requiredElement('share-section', HTMLElement);
  const form = requiredElement('share-form', HTMLFormElement);
  const groupsBox = requiredElement('share-groups', HTMLDivElement);
  const people = form.elements.namedItem('people') as HTMLInputElement;
  const formError = form.querySelector<HTMLElement>('.error')!;
  const status = requiredElement('shared-status', HTMLParagraphElement);
  const saved = requiredElement('shared', HTMLParagraphElement);
  const link = requiredElement('save-shared', HTMLAnchorElement);
  let file: File | undefined;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!file) return;
    const groups = chosenGroups(groupsBox);
    const addresses = addressList(people.value);
    formError.hidden = true;
    saved.hidden = true;
    status.textContent = 'Adding them…';
    const port = openChannel(decryptChannel);
    port.onMessage((report) => {
      if (report.kind === 'progress') return;
      port.disconnect();
      status.textContent = '';
      if (report.kind === 'shared') {
        if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
        link.href = URL.createObjectURL(report.file);
        link.download = report.file.name;
        link.textContent = `Save the shared copy of ${report.file.name}`;
        saved.hidden = false;
        status.textContent =
          report.added.length > 0
            ? `Added ${report.added.join(', ')}. The contents were not re-encrypted.`
            : 'Everyone you chose could already open this file; the copy is unchanged.';
      } else {
        formError.textContent =
          report.kind === 'failed' || report.kind === 'not-for-me'
            ? report.message
            : report.kind === 'locked'
              ? `Unlock ${report.userId} first.`
              : 'Keyward could not share this file.';
        formError.hidden = false;
      }
    });
    port.post({ kind: 'share', file, groups, people: addresses });
  });

  return {
    offer(next) {
      file = next;
      section.hidden = next === undefined;
      saved.hidden = true;
      status.textContent = '';
      if (!next) return;
      void sendMessage('groups.list', {})
        .then(({ groups }) => groupsBox.replaceChildren(...groupCheckboxes(groups)))
        .catch(() => groupsBox.replaceChildren());
    },
  };
}

/** How long buttons of an offer stay off after it can be seen (longer than a key press meant for another page). */
const OFFER_WAKE_MS = 1000;

/** Disables `buttons` until the page has been visible and focused for a moment. */
function enableWhenSeen(doc: Document, buttons: readonly HTMLButtonElement[]): void {
  for (const button of buttons) button.disabled = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = () => {
    clearTimeout(timer);
    for (const button of buttons) button.disabled = true;
    if (doc.visibilityState !== 'visible' || !doc.hasFocus()) return;
    timer = setTimeout(() => {
      for (const button of buttons) button.disabled = false;
    }, OFFER_WAKE_MS);
  };
  doc.addEventListener('visibilitychange', update);
  doc.defaultView?.addEventListener('focus', update);
  doc.defaultView?.addEventListener('blur', update);
  update();
}

/** A download the background handed over: `#{"url": ..., "name": ...}` (extension pages cannot be opened by sites). */
function downloadRequest(hash: string): { url: string; name: string } | undefined {
  if (hash.length < 2) return undefined;
  try {
    const value = JSON.parse(decodeURIComponent(hash.slice(1))) as { url?: unknown; name?: unknown };
    if (
      typeof value.url === 'string' &&
      /^(blob:)?https?:\/\//.test(value.url) &&
      typeof value.name === 'string'
    ) {
      return { url: value.url, name: value.name };
    }
  } catch {
    // not a request: an ordinary visit
  }
  return undefined;
}
