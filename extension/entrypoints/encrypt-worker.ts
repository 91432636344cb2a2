import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { systemClock } from '../../shared/clock';
import { warmUpFileEncryption } from '../../shared/openpgp';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { prepareSpool } from '../platform/spool';
import {
  runEncryptJob,
  type EncryptJob,
  type EncryptJobAbort,
  type EncryptJobMessage,
} from '../upload/encrypt-job';

// Wiring only: a dedicated worker (started by the offscreen document, one per upload) that runs one encryption job,
// and stops it cleanly when told to abort.
export default defineUnlistedScript(() => {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<EncryptJob | EncryptJobAbort>) => void) | null;
    postMessage: (message: EncryptJobMessage) => void;
  };
  // While this worker waits as the spare, before its job comes. The warm-up is only for speed: if it fails, the job
  // still runs (and says why it failed, if it does).
  prepareSpool();
  void prepareStreamedHashes()
    .then(() => warmUpFileEncryption(systemClock.now()))
    .catch(() => undefined);
  const stop = new AbortController();
  let started = false;
  scope.onmessage = (event) => {
    if ('kind' in event.data) stop.abort(new Error('The upload was abandoned.'));
    else if (!started) {
      started = true; // one job per worker
      void runEncryptJob(event.data, (message) => scope.postMessage(message), stop.signal);
    }
  };
});
