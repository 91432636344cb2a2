/**
 * Temporary files for large results (ciphertext of an upload, plaintext of a decrypted download), so that memory
 * stays flat in file size: bytes are written to the extension's origin-private file system (OPFS) as they stream,
 * and the result is a disk-backed `File` that can cross to a content script or into a download by reference.
 *
 * Where OPFS is missing (unit tests, old browsers) the bytes are gathered into Blobs in batches instead, which the
 * browser may keep in memory.
 *
 * Spool files live until `sweepSpools` removes them: everything at browser start (no page still holds one) and
 * files older than a day on an hourly sweep. A page may submit a form long after picking the file, so an upload's
 * ciphertext cannot be deleted as soon as it is handed over.
 */

const DIRECTORY = 'keyward-spool';
const BLOB_BATCH_BYTES = 8 * 1024 * 1024;
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

export interface Spool {
  /** Appends bytes; resolves once the file system took them (back-pressure for the producer). */
  readonly write: (chunk: Uint8Array) => Promise<void>;
  /** Closes the spool and returns its bytes as a `File` with this name and type. */
  readonly finish: (name: string, type?: string) => Promise<File>;
  /** Throws the bytes away (an error or a cancelled operation): nothing partial is kept. */
  readonly discard: () => Promise<void>;
}

interface WritableFile {
  write(data: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

interface SyncAccessHandle {
  write(data: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

interface FileHandle {
  createWritable(): Promise<WritableFile>;
  /** Dedicated workers only. */
  createSyncAccessHandle?(): Promise<SyncAccessHandle>;
  getFile(): Promise<File>;
}

interface SpoolDirectory {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}

let opened: Promise<SpoolDirectory | undefined> | undefined;

/**
 * The spool folder, found once per context and kept: in a fresh worker the first `navigator.storage.getDirectory()`
 * took 270-450 ms here, most of a 16 MiB upload's time. Not kept when there is none (tried again next time).
 */
function spoolDirectory(): Promise<SpoolDirectory | undefined> {
  opened ??= openSpoolDirectory().then((dir) => {
    if (!dir) opened = undefined;
    return dir;
  });
  return opened;
}

/** Finds the spool folder ahead of the first upload (an encryption worker waiting as the spare calls this). */
export function prepareSpool(): void {
  void spoolDirectory();
}

async function openSpoolDirectory(): Promise<SpoolDirectory | undefined> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (typeof storage?.getDirectory !== 'function') return undefined;
  try {
    const root = await storage.getDirectory();
    const dir = (await root.getDirectoryHandle(DIRECTORY, { create: true })) as unknown as SpoolDirectory;
    const probe = await dir.getFileHandle('.probe', { create: true });
    if (typeof probe.createWritable !== 'function') return undefined;
    return dir;
  } catch {
    return undefined; // e.g. a private window without OPFS: fall back to Blobs
  }
}

const TASK_BREAK_EVERY_BYTES = 4 * 1024 * 1024;

/** Progress of long work is reported about every this many bytes (to the page's notice, across threads). */
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * An `onBytes` callback for the spool functions below that passes running totals on to `report` only about every
 * 8 MiB, so a large file sends tens of progress messages, not thousands.
 */
export function everyFewMegabytes(report: (total: number) => void): (total: number) => void {
  let reported = 0;
  return (total) => {
    if (total - reported < PROGRESS_EVERY_BYTES) return;
    reported = total;
    report(total);
  };
}

/** A new spool file's name: `purpose` (`upload`, `download`) and the time let a sweep tell them apart. */
export function newSpoolName(purpose: string, now = Date.now()): string {
  return `${purpose}-${now}-${crypto.randomUUID()}`;
}

const SPOOL_NAME = /^[a-z]+-\d+-[0-9a-f-]{36}$/;

/** Opens a new spool; `purpose` names the file (`upload`, `download`) so a sweep can tell them apart. */
export async function openSpool(purpose: string, now = Date.now()): Promise<Spool> {
  const dir = await spoolDirectory();
  if (!dir) return blobSpool();
  const name = newSpoolName(purpose, now);
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  const batches = batchedWrites((bytes) => writable.write(bytes));
  let open = true;
  return {
    write: (chunk) => batches.write(chunk),
    async finish(fileName, type = '') {
      await batches.flush();
      open = false;
      await writable.close();
      const file = await handle.getFile();
      return new File([file], fileName, { type });
    },
    async discard() {
      await batches.abandon();
      if (open) await writable.abort().catch(() => undefined);
      open = false;
      await dir.removeEntry(name).catch(() => undefined);
    },
  };
}

/**
 * Gathers stream chunks (often 64 KiB) into 4 MiB writes, each a round trip to the browser process, and keeps one
 * write going while the next batch fills, so encrypting and writing overlap. Two batch buffers are reused
 * throughout: allocating fresh ones for every write costs page faults that showed in the benchmark. A buffer is
 * filled again only once its write has resolved (the file system has copied it by then). Exported for its tests.
 */
export function batchedWrites(writeOut: (bytes: Uint8Array<ArrayBuffer>) => Promise<void>) {
  const buffers = [new Uint8Array(WRITE_BATCH_BYTES), new Uint8Array(WRITE_BATCH_BYTES)];
  const writing: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let current = 0;
  let filled = 0;

  async function send(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    const started = writeOut(bytes);
    started.catch(() => undefined); // awaited below or by flush; not an unhandled rejection meanwhile
    writing[current] = started;
    current = 1 - current;
    filled = 0;
    await writing[current]; // the other buffer is free again (or its write's error surfaces here)
    writing[current] = Promise.resolve();
  }

  return {
    async write(chunk: Uint8Array): Promise<void> {
      let from = 0;
      while (from < chunk.byteLength) {
        const take = Math.min(chunk.byteLength - from, WRITE_BATCH_BYTES - filled);
        buffers[current]!.set(chunk.subarray(from, from + take), filled);
        filled += take;
        from += take;
        if (filled === WRITE_BATCH_BYTES) await send(buffers[current]!);
      }
    },
    async flush(): Promise<void> {
      if (filled > 0) await send(buffers[current]!.subarray(0, filled));
      await Promise.all(writing);
    },
    async abandon(): Promise<void> {
      filled = 0;
      await Promise.allSettled(writing);
    },
  };
}

function blobSpool(): Spool {
  let blob = new Blob([]);
  let batch: Uint8Array<ArrayBuffer>[] = [];
  let batchBytes = 0;
  return {
    write(chunk) {
      batch.push(chunk as Uint8Array<ArrayBuffer>);
      batchBytes += chunk.byteLength;
      if (batchBytes >= BLOB_BATCH_BYTES) {
        blob = new Blob([blob, ...batch]);
        batch = [];
        batchBytes = 0;
      }
      return Promise.resolve();
    },
    finish(fileName, type = '') {
      return Promise.resolve(new File([blob, ...batch], fileName, { type }));
    },
    discard() {
      blob = new Blob([]);
      batch = [];
      return Promise.resolve();
    },
  };
}

/**
 * Removes spool files created before `olderThan` (epoch ms); `Infinity` removes all. Returns how many were
 * removed. Files still being read by a page become unreadable, so only call this for files no page can need.
 */
export async function sweepSpools(olderThan: number): Promise<number> {
  const dir = await spoolDirectory();
  if (!dir) return 0;
  let removed = 0;
  for await (const name of dir.keys()) {
    const created = Number(/^[a-z]+-(\d+)-/.exec(name)?.[1]);
    if (Number.isFinite(created) && created < olderThan) {
      await dir.removeEntry(name).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

/**
 * In a dedicated worker (Chromium's offscreen document starts one per upload): streams into the spool file `name`
 * through a synchronous access handle, which writes to disk from this thread. That is about 3x what `createWritable`
 * manages (each of its writes is a round trip to the browser process), and it leaves the service worker free.
 * `open` starts the stream only once the file is open: opening took 5 ms on its own but 120-370 ms while the upload's
 * file was being read, and meanwhile openpgp.js held 6-16 MiB of read-ahead plaintext in memory.
 * Returns the bytes written. On any error, and when `signal` aborts, the stream is cancelled, the handle closed and
 * the file removed before this rejects: nothing partial is kept, and no write is left running.
 */
export async function spoolStreamInWorker(
  name: string,
  open: () => Promise<ReadableStream<Uint8Array>>,
  onBytes: (total: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<number> {
  if (!SPOOL_NAME.test(name)) throw new Error(`Not a spool file name: ${JSON.stringify(name)}`);
  signal?.throwIfAborted();
  const dir = await spoolDirectory();
  const handle = await dir?.getFileHandle(name, { create: true });
  if (!dir || typeof handle?.createSyncAccessHandle !== 'function') {
    throw new Error('No origin-private file system with synchronous access here.');
  }
  const access = await handle.createSyncAccessHandle();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  // A read can wait on the file or on encryption for a while; an abort must not wait for it.
  let stop = () => undefined as void;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => {
      const reason: unknown = signal?.reason;
      reject(reason instanceof Error ? reason : new Error('The upload was abandoned.'));
    };
  });
  stopped.catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  let total = 0;
  let lastBreak = 0;
  try {
    reader = (await open()).getReader();
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await Promise.race([reader.read(), stopped]);
      if (done) break;
      signal?.throwIfAborted();
      let at = 0;
      while (at < value.byteLength) at += access.write(value.subarray(at), { at: total + at });
      total += value.byteLength;
      onBytes(total);
      // openpgp.js's pipeline can run for seconds on microtasks alone, and then the worker never sees the message
      // that aborts it: a task break every few MiB lets it in (measured: the abort took effect only with one).
      if (total - lastBreak >= TASK_BREAK_EVERY_BYTES) {
        lastBreak = total;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    access.flush();
    access.close();
  } catch (error) {
    access.close();
    // Not awaited: openpgp.js's streams may settle a cancel only once their pending work has, or never.
    reader?.cancel(error).catch(() => undefined);
    await dir.removeEntry(name).catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return total;
}

/** The spool file `name` a worker finished, as a `File` with this name and type. */
export async function spooledFile(spoolName: string, fileName: string, type = ''): Promise<File> {
  const dir = await spoolDirectory();
  if (!dir || !SPOOL_NAME.test(spoolName)) throw new Error('There is no such spool file.');
  const file = await (await dir.getFileHandle(spoolName)).getFile();
  return new File([file], fileName, { type });
}

/** Removes the spool file `name` (an upload that failed or was abandoned); quietly if it is not there. */
export async function removeSpool(spoolName: string): Promise<void> {
  const dir = await spoolDirectory();
  if (dir && SPOOL_NAME.test(spoolName)) await dir.removeEntry(spoolName).catch(() => undefined);
}

/**
 * Runs `stream` into a spool; on any error, and when `signal` aborts, the spool is discarded and the error thrown on.
 */
export async function spoolStream(
  purpose: string,
  stream: ReadableStream<Uint8Array>,
  onBytes: (total: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<{ finish: Spool['finish']; discard: Spool['discard']; bytes: number }> {
  signal?.throwIfAborted();
  const spool = await openSpool(purpose);
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      signal?.throwIfAborted(); // the page went away: stop, and keep nothing
      await spool.write(value);
      total += value.byteLength;
      onBytes(total);
    }
  } catch (error) {
    reader.cancel(error).catch(() => undefined); // not awaited, as above
    await spool.discard();
    throw error;
  }
  return { finish: spool.finish, discard: spool.discard, bytes: total };
}
