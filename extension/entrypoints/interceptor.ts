import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { guardUserActivation } from '../intercept/activation-guard';
import {
  encryptInBackground,
  noticeFromBackground,
  openLinkFromBackground,
  pickInBackground,
  siteModeFromBackground,
} from '../intercept/background-encrypt';
import { guardFrames } from '../intercept/frame-guard';
import { answer } from '../messaging/runtime-channels';
import { childFrameChannel } from '../messaging/child-frame-channel';
import { pageBlobChannel } from '../messaging/page-blob-channel';
import { newTabLinks } from '../intercept/new-tab-links';
import { createOwnEvents } from '../intercept/own-events';
import { createPageBlobReader } from '../intercept/page-blob-reader';
import { pickerRequests } from '../intercept/picker-requests';
import { choosePrivately } from '../intercept/private-picker';
import { guardReopening } from '../intercept/reopen-guard';
import { installUploadInterceptor } from '../intercept/upload-interceptor';
import { shadowRootOf } from '../platform/dom';
import { extensionIdentity, framedPageUrl } from '../platform/runtime';

// Isolated-world content script, registered at document_start in every frame of opted-in sites
// (extension/platform/content-scripts.ts), before any page script runs: its listeners on the window are the first.
// No crypto and no keys here: files go to the background. How the parts fit: docs/security.md, "Hostile pages".
export default defineUnlistedScript(() => {
  const ownFrames = new WeakSet<Element>();
  const background = {
    doc: document,
    noticeUrl: (id: string) => `${framedPageUrl('/notice.html')}#${id}`,
    ownFrames,
  };
  const encrypt = encryptInBackground(background);
  const deps = { own: createOwnEvents(), encrypt, ciphertexts: new WeakSet<File>(), shadowRootOf };
  let mode: 'strict' | 'normal' | 'passthrough' = 'normal';

  const activation = guardUserActivation(window, {
    onDirectActivation: (input) => pickers.onDirectActivation(input),
    // At most once a minute: every press would say it again.
    onCannotSpend: () => {
      if (Date.now() - toldCannotProtect < 60_000) return;
      toldCannotProtect = Date.now();
      notice('cannot-protect');
    },
    shadowRootOf,
    now: () => Date.now(),
  });
  let toldCannotProtect = -Infinity;
  const pickers = pickerRequests(window, {
    ...deps,
    isStrict: () => mode === 'strict',
    gestures: activation.gestures,
    pickInBrowser: (options) => choosePrivately(document, options).then((files) => encrypt(files, 'pick')),
    pickInKeyward: pickInBackground(background),
  });
  const links = newTabLinks(window, { openTab: openLinkFromBackground(background), shadowRootOf });
  const notice = noticeFromBackground(background);
  const frames = guardFrames(window, {
    shadowRootOf,
    isOwn: (element) => ownFrames.has(element),
    onAnimationFrame: (callback) => requestAnimationFrame(callback),
    onOffFramePressed: () => notice('frame-off'),
    now: () => Date.now(),
  });

  // Everything that listens on the window, in the order it must run: the activation guard first of all.
  let disarm: (() => void)[] = [];
  const arm = () => {
    disarm = [
      activation.arm(),
      pickers.arm(),
      installUploadInterceptor(window, deps),
      links.arm(),
      frames.arm(),
    ];
  };
  arm();
  const reopening = guardReopening(window, {
    rearm: arm,
    onStopped: () => notice('stopped-rewrite'),
    randomId,
    onAnimationFrame: (callback) => requestAnimationFrame(callback),
  });

  void siteModeFromBackground().then((answer) => {
    mode = answer;
    // Neither this frame's site nor its tab's page is opted in (another port of an opted-in host): stand aside.
    if (answer !== 'passthrough') return;
    disarm.forEach((remove) => remove());
    reopening.stop();
    frames.stop();
  });

  const identity = extensionIdentity();
  // The background saw a child frame of this document start to load: find it, wherever it sits.
  answer(childFrameChannel, (_message, sender) => {
    if (sender.id === identity.id && sender.tab === undefined) frames.childFrameNavigating();
    return undefined;
  });
  // Page-made encrypted downloads (blob: URLs): only this frame can read them; the decrypt page asks for them.
  answer(
    pageBlobChannel,
    createPageBlobReader({
      extensionBaseUrl: identity.baseUrl,
      extensionId: identity.id,
      origin: location.origin,
      fetchBlob: async (url) => (await fetch(url)).blob(),
    }),
  );
});

/** A random name (crypto.randomUUID needs a secure context; plain http:// pages are protected too). */
function randomId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
