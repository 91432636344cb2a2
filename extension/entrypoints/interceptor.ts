import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import {
  encryptInBackground,
  pickInBackground,
  siteModeFromBackground,
} from '../intercept/background-encrypt';
import { interceptPickerOpening } from '../intercept/strict-picker';
import { createOwnEvents } from '../intercept/own-events';
import { installUploadInterceptor } from '../intercept/upload-interceptor';
import { createPageBlobReader } from '../intercept/page-blob-reader';
import { shadowRootOf } from '../platform/dom';
import { extensionIdentity, onRuntimeRequest } from '../platform/runtime';

// Isolated-world content script, registered at document_start in every frame of opted-in sites
// (extension/platform/content-scripts.ts). No crypto and no keys here: files go to the background.
export default defineUnlistedScript(() => {
  const deps = {
    own: createOwnEvents(),
    encrypt: encryptInBackground(document),
    ciphertexts: new WeakSet<File>(),
    shadowRootOf,
  };
  installUploadInterceptor(window, deps);
  // Strict mode (a per-site option): Keyward's own picker replaces the page's. Until the background has answered,
  // the page's picker may open, and what is chosen there is still encrypted by the interceptor above.
  let strict = false;
  void siteModeFromBackground().then((mode) => (strict = mode.strict));
  interceptPickerOpening(window, {
    ...deps,
    isStrict: () => strict,
    hasUserActivation: () => navigator.userActivation?.isActive ?? true,
    pick: pickInBackground(document),
  });
  // Page-made encrypted downloads (blob: URLs): only this frame can read them; the decrypt page asks for them.
  const identity = extensionIdentity();
  onRuntimeRequest(
    createPageBlobReader({
      extensionBaseUrl: identity.baseUrl,
      extensionId: identity.id,
      origin: location.origin,
      fetchBlob: async (url) => (await fetch(url)).blob(),
    }),
  );
});
