import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { systemClock } from '../../shared/clock';
import { warmUpFileEncryption } from '../../shared/openpgp';
import { acceptInWorker, type WorkerScope } from '../messaging/channel';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { prepareSpool } from '../platform/spool';
import { runEncryptJob } from '../upload/encrypt-job';
import { encryptJobChannel } from '../upload/encrypt-job-channel';

// Wiring only: a dedicated worker (started by the offscreen document, one per upload) that runs one encryption job,
// and stops it cleanly when told to abort.
export default defineUnlistedScript(() => {
  // While this worker waits as the spare, before its job comes. The warm-up is only for speed: if it fails, the job
  // still runs (and says why it failed, if it does).
  prepareSpool();
  void prepareStreamedHashes()
    .then(() => warmUpFileEncryption(systemClock.now()))
    .catch(() => undefined);
  const opener = acceptInWorker(encryptJobChannel, globalThis as unknown as WorkerScope);
  const stop = new AbortController();
  let started = false;
  opener.onMessage((message) => {
    if (message.kind === 'abort') stop.abort(new Error('The upload was abandoned.'));
    else if (!started) {
      started = true; // one job per worker
      void runEncryptJob(message.job, (report) => opener.post(report), stop.signal);
    }
  });
});
