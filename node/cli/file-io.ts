import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, write } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { toWebStream } from '../to-web-stream';
import { UsageError } from './exit-codes';

/**
 * Files for the command. A regular file is read with synchronous reads into fresh 1 MiB buffers, one per pull:
 * the command does one job at a time, and this took a 256 MiB encryption from 1.0 s (`fs.createReadStream` and
 * its web stream adapter) to 0.7 s; reading one piece ahead in the thread pool measured no better. Fresh buffers,
 * because openpgp.js keeps references to what it is given.
 */
const READ_SIZE = 1024 * 1024;

export interface Input {
  readonly stream: ReadableStream<Uint8Array>;
  /** Known for regular files: progress, and a file that shrinks or grows while read fails instead. */
  readonly size: number | undefined;
  /** The file's own name, stored inside the encryption; undefined for standard input. */
  readonly name: string | undefined;
  /** Called for each piece read (progress). */
  onRead?: (bytes: number) => void;
}

export function openInput(path: string | undefined): Input {
  if (path === undefined || path === '-') {
    return {
      stream: toWebStream(process.stdin) as ReadableStream<Uint8Array>,
      size: undefined,
      name: undefined,
    };
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  const stat = fstatSync(fd);
  if (stat.isDirectory()) {
    closeSync(fd);
    throw new UsageError(`${path} is a folder, not a file.`);
  }
  let closed = false;
  const close = () => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  const input: Input = {
    size: stat.isFile() ? stat.size : undefined,
    name: basename(path),
    stream: new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const buffer = new Uint8Array(READ_SIZE);
          const read = readSync(fd, buffer, 0, READ_SIZE, null);
          if (read === 0) {
            close();
            controller.close();
            return;
          }
          input.onRead?.(read);
          controller.enqueue(read === READ_SIZE ? buffer : buffer.subarray(0, read));
        },
        cancel: close,
      },
      { highWaterMark: 0 },
    ),
  };
  return input;
}

export interface Output {
  write(bytes: Uint8Array): Promise<void> | void;
  /** Keeps what was written: a file appears under its name only now. */
  commit(): Promise<void> | void;
  /** Throws away what was written (a file that is not whole must not be left behind). */
  discard(): Promise<void> | void;
}

/**
 * To a file (written beside it under a temporary name, renamed into place only on commit, so a failed or cut
 * decryption never leaves a partial file under the real name), or to standard output.
 */
export function openOutput(path: string | undefined): Output {
  if (path === undefined || path === '-') {
    return {
      write: (bytes) =>
        process.stdout.write(bytes)
          ? undefined
          : new Promise<void>((ok) => process.stdout.once('drain', () => ok())),
      commit() {},
      discard() {},
    };
  }
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o600);
  } catch (error) {
    throw new UsageError(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  // Two 4 MiB buffers: one is written by the thread pool while the next fills, so the copy into the page cache
  // (about a fifth of a decryption's time) runs beside the decryption instead of after it, as the extension's
  // spool does.
  const buffers = [new Uint8Array(WRITE_BUFFER), new Uint8Array(WRITE_BUFFER)];
  let current = 0;
  let filled = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const bytes = buffers[current]!.subarray(0, filled);
    await inFlight; // the other buffer's write: once done, that buffer is free to fill
    inFlight = writeFully(fd!, bytes);
    current ^= 1;
    filled = 0;
  };
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    unfinished.delete(discardFile);
  };
  const discardFile = () => {
    close();
    rmSync(temporary, { force: true });
  };
  unfinished.add(discardFile);
  return {
    async write(bytes) {
      for (let offset = 0; offset < bytes.length;) {
        const n = Math.min(WRITE_BUFFER - filled, bytes.length - offset);
        buffers[current]!.set(bytes.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === WRITE_BUFFER) await flush();
      }
    },
    async commit() {
      await flush();
      await inFlight;
      close();
      renameSync(temporary, target);
    },
    async discard() {
      await inFlight.catch(() => {});
      discardFile();
    },
  };
}

const WRITE_BUFFER = 4 * 1024 * 1024;

async function writeFully(fd: number, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    offset += await new Promise<number>((ok, fail) =>
      write(fd, bytes, offset, bytes.length - offset, null, (error, written) =>
        error ? fail(error) : ok(written),
      ),
    );
  }
}

/** Temporary files not committed yet; an interrupted command removes them (see keyward.ts). */
const unfinished = new Set<() => void>();

export function discardUnfinishedOutputs(): void {
  for (const discard of [...unfinished]) discard();
}

/** Drains a stream into an output; the output is discarded if anything fails, committed only if it all went. */
export async function writeAll(
  stream: ReadableStream<Uint8Array>,
  output: Output,
  beforeCommit: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const reader = stream.getReader();
  let written = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await output.write(value);
      written += value.length;
    }
    await beforeCommit();
  } catch (error) {
    await output.discard();
    await reader.cancel().catch(() => {});
    throw error;
  }
  await output.commit();
  return written;
}
