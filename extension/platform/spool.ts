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

interface FileHandle {
  createWritable(): Promise<WritableFile>;
  getFile(): Promise<File>;
}

interface SpoolDirectory {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}

async function spoolDirectory(): Promise<SpoolDirectory | undefined> {
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

/** Opens a new spool; `purpose` names the file (`upload`, `download`) so a sweep can tell them apart. */
export async function openSpool(purpose: string, now = Date.now()): Promise<Spool> {
  const dir = await spoolDirectory();
  if (!dir) return blobSpool();
  const name = `${purpose}-${now}-${crypto.randomUUID()}`;
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

/** Runs `producer`'s stream into a spool; on any error the spool is discarded and the error thrown on. */
export async function spoolStream(
  purpose: string,
  stream: ReadableStream<Uint8Array>,
  onBytes: (total: number) => void = () => undefined,
): Promise<{ finish: Spool['finish']; discard: Spool['discard']; bytes: number }> {
  const spool = await openSpool(purpose);
  let total = 0;
  try {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await spool.write(value);
      total += value.byteLength;
      onBytes(total);
    }
  } catch (error) {
    await spool.discard();
    throw error;
  }
  return { finish: spool.finish, discard: spool.discard, bytes: total };
}
