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
  // Each write is a round trip to the browser process: gather stream chunks (often 64 KiB) into larger writes.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const joined = new Uint8Array(pendingBytes);
    let at = 0;
    for (const chunk of pending) {
      joined.set(chunk, at);
      at += chunk.byteLength;
    }
    pending = [];
    pendingBytes = 0;
    await writable.write(joined);
  };
  let open = true;
  return {
    async write(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
    },
    async finish(fileName, type = '') {
      await flush();
      open = false;
      await writable.close();
      const file = await handle.getFile();
      return new File([file], fileName, { type });
    },
    async discard() {
      pending = [];
      pendingBytes = 0;
      if (open) await writable.abort().catch(() => undefined);
      open = false;
      await dir.removeEntry(name).catch(() => undefined);
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
