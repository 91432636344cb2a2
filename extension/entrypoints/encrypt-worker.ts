import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { runEncryptJob, type EncryptJob, type EncryptJobMessage } from '../upload/encrypt-job';

// Wiring only: a dedicated worker (started by the offscreen document, one per upload) that runs one encryption job.
export default defineUnlistedScript(() => {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<EncryptJob>) => void) | null;
    postMessage: (message: EncryptJobMessage) => void;
  };
  scope.onmessage = (event) => {
    scope.onmessage = null; // one job per worker
    void runEncryptJob(event.data, (message) => scope.postMessage(message));
  };
});
