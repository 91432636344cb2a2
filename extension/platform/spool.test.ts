import { describe, expect, it } from 'vitest';
import { batchedWrites, everyFewMegabytes, openSpool, spoolStream, sweepSpools } from './spool';

// Without OPFS (as here) the spool gathers Blobs; the OPFS path is exercised in Chromium by the e2e upload and
// download tests, including the 1 GiB one that checks memory stays flat.
const streamOf = (chunks: Uint8Array[], failAfter?: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      chunks.forEach((c, i) => {
        if (i === failAfter) controller.error(new Error('broken'));
        else if (failAfter === undefined || i < failAfter) controller.enqueue(c);
      });
      if (failAfter === undefined) controller.close();
    },
  });

describe('spool', () => {
  it('returns exactly the bytes written, under the given name and type', async () => {
    const spool = await openSpool('upload');
    const big = new Uint8Array(9 * 1024 * 1024).fill(7); // beyond one Blob batch
    await spool.write(new Uint8Array([1, 2, 3]));
    await spool.write(big);
    const file = await spool.finish('a.txt.pgp', 'application/pgp-encrypted');
    expect(file.name).toBe('a.txt.pgp');
    expect(file.type).toBe('application/pgp-encrypted');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.length).toBe(3 + big.length);
    expect([...bytes.subarray(0, 4)]).toEqual([1, 2, 3, 7]);
  });

  it('streams into a file and counts the bytes as they come', async () => {
    const seen: number[] = [];
    const spooled = await spoolStream('download', streamOf([new Uint8Array(5), new Uint8Array(6)]), (n) =>
      seen.push(n),
    );
    expect(seen).toEqual([5, 11]);
    expect(spooled.bytes).toBe(11);
    expect((await spooled.finish('x')).size).toBe(11);
  });

  it('a stream that errors (truncated or tampered input) gives the error and no file', async () => {
    await expect(
      spoolStream('download', streamOf([new Uint8Array(5), new Uint8Array(6)], 1)),
    ).rejects.toThrow('broken');
  });

  it('sweeping without OPFS has nothing to remove', async () => {
    expect(await sweepSpools(Infinity)).toBe(0);
  });

  describe('batched writes to the spool file', () => {
    const MiB = 1024 * 1024;
    const sink = (delayMs: number, failAt?: number) => {
      const written: Uint8Array[] = [];
      const changedInFlight: number[] = [];
      const writeOut = async (bytes: Uint8Array) => {
        const index = written.length;
        const atCall = bytes.slice();
        written.push(atCall);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (index === failAt) throw new Error('disk full');
        // The file system copies the bytes at some point before the write resolves: they must not change meanwhile.
        if (!Buffer.from(bytes).equals(Buffer.from(atCall))) changedInFlight.push(index);
      };
      return { written, changedInFlight, writeOut };
    };

    it('writes exactly the bytes, in order, in 4 MiB writes, never touching a buffer whose write is in flight', async () => {
      const { written, changedInFlight, writeOut } = sink(3);
      const batches = batchedWrites(writeOut);
      const input = new Uint8Array(13 * MiB + 5);
      for (let i = 0; i < input.length; i += 4096) input[i] = (i / 4096) % 251;
      const sizes = [1, 65_536, 5 * MiB, 3, 4 * MiB, 10];
      let at = 0;
      for (let i = 0; at < input.length; i++) {
        const size = Math.min(sizes[i % sizes.length]!, input.length - at);
        await batches.write(input.subarray(at, at + size));
        at += size;
      }
      await batches.flush();
      expect(written.map((w) => w.length)).toEqual([4 * MiB, 4 * MiB, 4 * MiB, MiB + 5]);
      expect(Buffer.concat(written).equals(Buffer.from(input))).toBe(true);
      expect(changedInFlight).toEqual([]);
    });

    it('a failed write (disk full) fails the spool instead of going unnoticed', async () => {
      const { writeOut } = sink(1, 0);
      const batches = batchedWrites(writeOut);
      const attempt = async () => {
        for (let i = 0; i < 3; i++) await batches.write(new Uint8Array(4 * MiB));
        await batches.flush();
      };
      await expect(attempt()).rejects.toThrow('disk full');
      await batches.abandon(); // settles without throwing
    });
  });
});

describe('progress of long work', () => {
  it('passes a running total on about every 8 MiB, not for every chunk', () => {
    const MiB = 1024 * 1024;
    const seen: number[] = [];
    const onBytes = everyFewMegabytes((total) => seen.push(total / MiB));
    for (let total = 1; total <= 20; total += 1) onBytes(total * MiB);
    expect(seen).toEqual([8, 16]);
  });
});
