import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { encryptInBackground } from '../intercept/background-encrypt';
import { createOwnEvents } from '../intercept/own-events';
import { installUploadInterceptor } from '../intercept/upload-interceptor';
import { shadowRootOf } from '../platform/dom';

// Isolated-world content script, registered at document_start in every frame of opted-in sites
// (extension/platform/content-scripts.ts). No crypto and no keys here: files go to the background.
export default defineUnlistedScript(() => {
  installUploadInterceptor(window, {
    own: createOwnEvents(),
    encrypt: encryptInBackground(document),
    ciphertexts: new WeakSet<File>(),
    shadowRootOf,
  });
});
