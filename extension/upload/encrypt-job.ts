import { isKeywardError, KeywardError, type ErrorCode } from '../../shared/errors';
import { encryptFile, type UnlockedKey } from '../../shared/openpgp';
import { prepareStreamedHashes } from '../platform/openpgp-hashes';
import { everyFewMegabytes, spoolStreamInWorker } from '../platform/spool';

/**
 * One upload's encryption, run in a dedicated worker that Chromium's offscreen document starts for it
 * (entrypoints/encrypt-worker.ts): the file streams through openpgp.js into a spool file written with a
 * synchronous access handle. Off the service worker, and about 1.5x faster than encrypting there
 * (docs/benchmarks.md). The background then hands the spool file to the page.
 */
export interface EncryptJob {
  readonly file: File;
  /** Armored public keys: the user's own first, then the site's other recipients. */
  readonly recipients: readonly string[];
  /** The user's key, unlocked, when the upload is signed (every source but a paste). */
  readonly signingKey?: UnlockedKey;
  /** Epoch ms: key validity and the literal data's date. */
  readonly date: number;
  /** The spool file to write (spool.ts newSpoolName); removed again if anything fails. */
  readonly spoolName: string;
}

export interface EncryptJobResult {
  readonly bytes: number;
}

/** What the starting side may post after the job: stop now (the background that asked for it has gone). */
export interface EncryptJobAbort {
  readonly kind: 'abort';
}

/** What the worker posts back: progress (ciphertext bytes so far), then exactly one of done or failed. */
export type EncryptJobMessage =
  | { readonly kind: 'progress'; readonly bytes: number }
  | { readonly kind: 'done'; readonly result: EncryptJobResult }
  | { readonly kind: 'failed'; readonly code: ErrorCode; readonly message: string };

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
        });
        return encrypted.ciphertext;
      },
      everyFewMegabytes((total) => post({ kind: 'progress', bytes: total })),
      signal,
    );
    post({ kind: 'done', result: { bytes } });
  } catch (error) {
    post({
      kind: 'failed',
      code: isKeywardError(error) ? error.code : 'unavailable',
      message: isKeywardError(error) ? error.message : 'The file could not be read or encrypted.',
    });
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
    const worker = start();
    let grace: ReturnType<typeof setTimeout> | undefined;
    const end = (outcome: () => void) => {
      clearTimeout(grace);
      signal?.removeEventListener('abort', abort);
      worker.terminate();
      outcome();
    };
    const abort = () => {
      worker.postMessage({ kind: 'abort' } satisfies EncryptJobAbort);
      grace = setTimeout(
        () => end(() => reject(new KeywardError('unavailable', WORKER_STOPPED))),
        ABORT_GRACE_MS,
      );
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.onmessage = (event: MessageEvent<EncryptJobMessage>) => {
      const message = event.data;
      if (message.kind === 'progress') onProgress(message.bytes);
      else if (message.kind === 'done') end(() => resolve(message.result));
      else end(() => reject(new KeywardError(message.code, message.message)));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      end(() => reject(new KeywardError('unavailable', WORKER_STOPPED)));
    };
    worker.postMessage(job);
  });
}
