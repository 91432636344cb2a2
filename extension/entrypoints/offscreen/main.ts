import { connectPort } from '../../platform/ports';
import { withSpareWorker } from '../../upload/encrypt-job';
import { createInProcessKeyWork } from '../../vault/key-work';
import { KEY_WORK_PORT } from '../../vault/key-work-protocol';
import { serveKeyWork } from '../../vault/key-work-server';

// Wiring only: connect to the background and run key work for it. Uploads are encrypted in a dedicated worker of
// this document, one per file (entrypoints/encrypt-worker.ts), the next one always started ahead. When the
// background lets go of the port (idle, or its service worker stopped) the work in progress is stopped and this
// document closes itself.
serveKeyWork(
  connectPort(KEY_WORK_PORT),
  createInProcessKeyWork({ startEncryptWorker: withSpareWorker(() => new Worker('/encrypt-worker.js')) }),
  () => window.close(),
);
