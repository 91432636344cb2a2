import { defineBackground } from 'wxt/utils/define-background';
import { systemClock } from '../../shared/clock';
import { createVksClient } from '../directory/vks-client';
import type { AcceptorEnd } from '../messaging/channel';
import { acceptPorts, ask, route } from '../messaging/runtime-channels';
import { answerProtocol } from '../messaging/dispatcher';
import { everyMinutes, onBrowserStartup, onExtensionInstalled } from '../platform/alarms';
import { checkKeyserver } from '../directory/keyserver-check';
import { saveTextFile } from '../platform/downloads';
import {
  closeOffscreenDocument,
  hasOffscreenDocuments,
  offscreenDocumentIsOpen,
  openOffscreenDocument,
} from '../platform/offscreen';
import { hasOriginPermission } from '../platform/permissions';
import { sweepSpools } from '../platform/spool';
import { extensionIdentity, extensionVersion, openOptionsPage } from '../platform/runtime';
import { localStorageArea, restrictSessionStorage, sessionStorageArea } from '../platform/storage';
import { createPublisher } from '../publishing/publisher';
import { createSettingsStore } from '../settings/settings-store';
import { createSitesStore } from '../sites/sites-store';
import { createUploadService } from '../upload/upload-service';
import { uploadChannel } from '../messaging/upload-channel';
import { pickerChannel } from '../messaging/picker-channel';
import { decryptChannel } from '../messaging/decrypt-channel';
import { createDecryptService } from '../downloads/decrypt-service';
import { createReleaseService } from '../downloads/release-service';
import { releaseChannel } from '../messaging/release-channel';
import { encryptChannel } from '../messaging/encrypt-channel';
import { createEncryptService } from '../encrypt/encrypt-service';
import { createDownloadWatcher } from '../downloads/download-watcher';
import { onDownloadStarting } from '../platform/downloads';
import { openExtensionTab, openTabNextTo } from '../platform/tabs-open';
import { createNoticeBoard } from '../upload/notice-board';
import { noticeChannel } from '../messaging/notice-channel';
import { linkMenu } from '../platform/context-menus';
import { openPopupWindow, windowIsOpen } from '../platform/windows';
import { createUnlockPrompt } from '../upload/unlock-prompt';
import { registerInterception } from '../platform/content-scripts';
import { onChildFrameNavigating } from '../platform/navigation';
import { childFrameChannel } from '../messaging/child-frame-channel';
import { protectSiteSettings } from '../platform/site-settings';
import { protectFraming } from '../platform/framing';
import { reloadTabsOf } from '../platform/tabs';
import { createInProcessKeyWork, type KeyWork } from '../vault/key-work';
import { keyWorkChannel } from '../vault/key-work-channel';
import { createOffscreenKeyWork } from '../vault/offscreen-key-work';
import { createVault } from '../vault/vault';
import { createVaultRecords } from '../vault/vault-records';
import { backgroundHandlers } from '../background/message-handlers';
import { createPeopleParts } from '../background/people-parts';

/** How long an upload's ciphertext or a download's plaintext stays in the spool (see platform/spool). */
const SPOOL_LIFETIME_MS = 24 * 60 * 60 * 1000;

// Composition root of the background: builds every part and wires it to the browser. Listeners are added
// synchronously at start-up so an event can wake the service worker.
export default defineBackground(() => {
  const identity = extensionIdentity();
  const local = localStorageArea();
  const clock = systemClock;
  const settings = createSettingsStore({ local, mayReach: hasOriginPermission });

  // Argon2 runs in the offscreen document in Chromium; Firefox's event page can run it itself.
  let keyWork: KeyWork = createInProcessKeyWork();
  let attachKeyWork = (port: AcceptorEnd<typeof keyWorkChannel>) => port.disconnect();
  if (hasOffscreenDocuments()) {
    const offscreen = createOffscreenKeyWork({
      open: () => openOffscreenDocument('Argon2 key stretching, and encrypting uploads in workers'),
      close: closeOffscreenDocument,
      isOpen: offscreenDocumentIsOpen,
    });
    keyWork = offscreen.keyWork;
    attachKeyWork = (port) => {
      // Only Keyward's own offscreen document, checked before the channel hears anything from it.
      if (port.sender?.url === identity.baseUrl + 'offscreen.html') offscreen.attach(port);
      else port.disconnect();
    };
  }

  const vault = createVault({
    records: createVaultRecords(local, sessionStorageArea()),
    keyWork,
    clock,
    autoLockMinutes: async () => (await settings.get()).autoLockMinutes,
  });
  const publisher = createPublisher({
    vks: createVksClient({ fetch: (input, init) => fetch(input, init) }),
    local,
    clock,
    keyserverUrl: async () => (await settings.get()).keyserverUrl,
    publicKey: (fingerprint) => vault.publicKey(fingerprint),
  });

  const sites = createSitesStore({
    local,
    register: async (origins) => {
      await registerInterception(origins);
      await protectSiteSettings(origins);
      await protectFraming(origins);
    },
    reloadOpenPages: reloadTabsOf,
    mayReach: hasOriginPermission,
    now: () => clock.now().getTime(),
  });
  const people = createPeopleParts({
    vault,
    keyWork,
    settings,
    local,
    session: sessionStorageArea(),
    clock,
    fetch: (input, init) => fetch(input, init),
    newId: () => crypto.randomUUID(),
  });
  const { contacts, siteRecipients } = people;
  const notices = createNoticeBoard({
    extensionId: identity.id,
    newId: () => crypto.randomUUID(),
    securityPhrase: async () => (await settings.get()).securityPhrase,
    now: () => clock.now().getTime(),
  });
  const uploads = createUploadService({
    vault,
    sites,
    recipients: siteRecipients,
    settings,
    notices,
    clock,
    extensionId: identity.id,
    extensionBaseUrl: identity.baseUrl,
    openPicker: (id) => openPopupWindow(`/picker.html#${id}`, { width: 460, height: 420 }),
    openLink: openTabNextTo,
    newId: () => crypto.randomUUID(),
    // Chromium: in a worker of the offscreen document, which writes the spool file directly (about 1.5x faster).
    ...(hasOffscreenDocuments()
      ? { encryptToSpool: (job, onProgress, signal) => keyWork.encryptToSpool(job, onProgress, signal) }
      : {}),
    askToUnlock: createUnlockPrompt({
      open: (origin) => openPopupWindow(`/unlock.html#${encodeURIComponent(origin)}`),
      isOpen: windowIsOpen,
      isUnlocked: async () => !(await vault.status()).locked,
    }),
  });
  const decrypts = createDecryptService({
    vault,
    contacts,
    recipients: siteRecipients,
    clock,
    baseUrl: identity.baseUrl,
  });
  const encrypts = createEncryptService({
    vault,
    recipients: siteRecipients,
    clock,
    baseUrl: identity.baseUrl,
  });
  const releases = createReleaseService({
    vault,
    contacts,
    lookup: people.lookup,
    clock,
    baseUrl: identity.baseUrl,
  });
  // Every port any context opens to the background, each with its channel's schemas; any other name is dropped.
  // Each service checks the port's sender before it looks at a message.
  acceptPorts([
    route(keyWorkChannel, (port) => attachKeyWork(port)),
    route(uploadChannel, uploads.serve, { onMalformed: uploads.refuse }),
    route(pickerChannel, uploads.servePicker, { onMalformed: uploads.refusePicker }),
    route(decryptChannel, decrypts.serve, { onMalformed: decrypts.refuse }),
    route(noticeChannel, notices.serve),
    route(encryptChannel, (port) => encrypts.serve(port), { onMalformed: (port) => encrypts.refuse(port) }),
    route(releaseChannel, (port) => releases.serve(port), { onMalformed: (port) => releases.refuse(port) }),
  ]);

  const decryptInTab = (request: { url: string; name: string }) =>
    openExtensionTab(`/decrypt.html#${encodeURIComponent(JSON.stringify(request))}`);
  onDownloadStarting(
    createDownloadWatcher({
      isEnabled: (origin) => sites.isEnabled(origin),
      offerInTab: decryptInTab,
      now: () => clock.now().getTime(),
    }),
  );
  // The fallback for links Keyward does not take over by itself (another site, no .pgp name).
  linkMenu('keyward-decrypt-link', 'Decrypt and save with Keyward', (url) => {
    if (!/^https?:\/\//.test(url)) return;
    const last = new URL(url).pathname.split('/').pop() || 'file.pgp';
    let name = last;
    try {
      name = decodeURIComponent(last);
    } catch {
      // a malformed escape: keep the name as it is in the URL
    }
    void decryptInTab({ url, name });
  });

  answerProtocol({
    identity,
    handlers: backgroundHandlers({
      vault,
      settings,
      publisher,
      sites,
      ...people,
      version: extensionVersion(),
      saveTextFile,
      checkKeyserver: (url) => checkKeyserver((input, init) => fetch(input, init), url),
    }),
    onUnexpectedError: (type, error) => console.error(`Keyward: handling "${type}" failed`, error),
  });
  onExtensionInstalled((reason) => {
    void sites.reprotect().catch(() => undefined);
    // A new user is led through choosing a keyserver and setting up a key (the options page's welcome).
    if (reason === 'install') void openOptionsPage().catch(() => undefined);
  });
  // A frame's new child frame, wherever it sits (a closed shadow root included): the frame's Keyward looks for it
  // (extension/intercept/frame-guard.ts). Frames without Keyward's content script get nothing.
  onChildFrameNavigating(
    (tabId, parentFrameId) =>
      void ask(
        childFrameChannel,
        { to: 'frame', tabId, frameId: parentFrameId },
        { type: 'keyward.childFrameNavigating' },
      ).catch(() => undefined),
  );
  everyMinutes('keyward-auto-lock', 1, () => void vault.lockIdle());
  // Contacts' keys: revocations, new subkeys and key changes arrive without the user asking (uploads also
  // look their recipients up again each time).
  everyMinutes('keyward-contacts-refresh', 24 * 60, () => void contacts.refresh().catch(() => undefined));
  // Session storage is already empty after a browser restart; locking again also covers browsers that keep it.
  onBrowserStartup(() => void vault.lock());
  // Spool files hold uploads' ciphertext and downloads' plaintext. After a browser start no page holds one any more;
  // otherwise a day is ample for a page to submit the file it was given.
  onBrowserStartup(() => void sweepSpools(Infinity));
  everyMinutes('keyward-spool-sweep', 60, () => void sweepSpools(clock.now().getTime() - SPOOL_LIFETIME_MS));
  void restrictSessionStorage();
});
