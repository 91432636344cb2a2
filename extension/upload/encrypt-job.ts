import { KeywardError } from '../../shared/errors';
import { encryptFile } from '../../shared/openpgp';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { everyFewMegabytes, spoolStreamInWorker } from '../platform/spool';
import { openWorker } from '../messaging/channel';
import { fromWireError, toWireError } from '../messaging/wire-error';
import {
  encryptJobChannel,
  type EncryptJob,
  type EncryptJobMessage,
  type EncryptJobResult,
} from './encrypt-job-channel';

/*
 * One upload's encryption, run in a dedicated worker that Chromium's offscreen document starts for it
 * (entrypoints/encrypt-worker.ts): the file streams through openpgp.js into a spool file written with a
 * synchronous access handle. Off the service worker, and about 1.5x faster than encrypting there
 * (docs/benchmarks.md). The background then hands the spool file to the page. The messages are
 * ./encrypt-job-channel.ts.
 */
export type { EncryptJob, EncryptJobResult } from './encrypt-job-channel';

/**
 * The worker's side: runs the job and posts its progress and its end. Never throws. After `signal` aborts it posts
 * `failed` only once the spool file's handle is closed and the file removed (spool.ts spoolStreamInWorker), so the
 * worker can then be ended without a write in flight.
 */
export async function runEncryptJob(
  job: EncryptJob,
  post: (message: EncryptJobMessage) => void,
  signal?: AbortSignal,
) {
  try {
    await prepareStreamedHashes();
    const bytes = await spoolStreamInWorker(
      job.spoolName,
      async () => {
        const encrypted = await encryptFile({
          plaintext: job.file.stream(),
          plaintextLength: job.file.size,
          recipients: job.recipients,
          date: new Date(job.date),
          filename: job.file.name,
          signingKey: job.signingKey,
          forGnuPG: job.forGnuPG === true,
        });
        return encrypted.ciphertext;
      },
      everyFewMegabytes((total) => post({ kind: 'progress', bytes: total })),
      signal,
    );
    post({ kind: 'done', result: { bytes } });
  } catch (error) {
    post({ kind: 'failed', error: toWireError(error, 'The file could not be read or encrypted.') });
  }
}

/**
 * Starting a worker costs a few hundred milliseconds of CPU here (openpgp.js parsed, WebAssembly compiled), most of
 * a small upload's time. So one is started with the document, and each upload takes it; the next is started when
 * that upload's worker is ended, not beside it while it encrypts (on two cores that slowed the upload). Each
 * worker still runs one job only.
 */
export function withSpareWorker(start: () => Worker): () => Worker {
  let spare: Worker | undefined = start();
  return () => {
    const worker = spare ?? start();
    spare = undefined;
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      terminate();
      spare ??= start();
    };
    return worker;
  };
}

/** How long an aborted worker gets to close its file before it is ended anyway. */
export const ABORT_GRACE_MS = 5_000;

export const WORKER_STOPPED = 'Keyward’s encryption worker stopped. Try again.';

/**
 * The starting side (the offscreen document): gives the job to a fresh worker, relays its progress, and ends it
 * when the job ends. A worker that dies (out of memory, a crash) fails the job with `unavailable`. When `signal`
 * aborts, the worker is asked to stop and ended once it has (or after ABORT_GRACE_MS); only then does this reject,
 * so whoever waits for it knows no write is in flight (closing a document while its worker writes a file can crash
 * Chromium's extension process).
 */
export function encryptInWorker(
  start: () => Worker,
  job: EncryptJob,
  onProgress: (bytes: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<EncryptJobResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new KeywardError('unavailable', WORKER_STOPPED));
      return;
    }
    const worker = openWorker(encryptJobChannel, start());
    let grace: ReturnType<typeof setTimeout> | undefined;
    const end = (outcome: () => void) => {
      clearTimeout(grace);
      signal?.removeEventListener('abort', abort);
      worker.disconnect();
      outcome();
    };
    const abort = () => {
      worker.post({ kind: 'abort' });
      grace = setTimeout(
        () => end(() => reject(new KeywardError('unavailable', WORKER_STOPPED))),
        ABORT_GRACE_MS,
      );
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.onMessage((message) => {
      if (message.kind === 'progress') onProgress(message.bytes);
      else if (message.kind === 'done') end(() => resolve(message.result));
      else end(() => reject(fromWireError(message.error)));
    });
    // The worker died (out of memory, a crash) or posted something malformed.
    worker.onDisconnect(() => end(() => reject(new KeywardError('unavailable', WORKER_STOPPED))));
    worker.post({ kind: 'run', job });
  });
}
