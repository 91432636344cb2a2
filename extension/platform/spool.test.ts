import { describe, expect, it } from 'vitest';
import { openSpool, spoolStream, sweepSpools } from './spool';

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
});
