import { openChannel } from '../../messaging/runtime-channels';
import { withSpareWorker } from '../../upload/encrypt-job';
import { createInProcessKeyWork } from '../../vault/key-work';
import { keyWorkChannel } from '../../vault/key-work-channel';
import { serveKeyWork } from '../../vault/key-work-server';

// Wiring only: connect to the background and run key work for it. Uploads are encrypted in a dedicated worker of
// this document, one per file (entrypoints/encrypt-worker.ts), the next one always started ahead. When the
// background lets go of the port (idle, or its service worker stopped) the work in progress is stopped and this
// document closes itself.
serveKeyWork(
  openChannel(keyWorkChannel),
  createInProcessKeyWork({ startEncryptWorker: withSpareWorker(() => new Worker('/encrypt-worker.js')) }),
  () => window.close(),
);
