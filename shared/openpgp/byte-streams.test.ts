import { describe, expect, it } from 'vitest';
import {
  isBinaryPacketStart,
  mapStreamErrors,
  peekFirstByte,
  readAllBytes,
  toByteStream,
} from './byte-streams';

function streamOf(...pieces: number[][]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(new Uint8Array(piece));
      controller.close();
    },
  });
}

describe('byte streams', () => {
  it('peeks the first byte past empty pieces and still yields every byte', async () => {
    const { firstByte, stream } = await peekFirstByte(streamOf([], [0x85, 1], [2, 3]));
    expect(firstByte).toBe(0x85);
    expect([...(await readAllBytes(stream))]).toEqual([0x85, 1, 2, 3]);
  });

  it('peeks an empty stream', async () => {
    const { firstByte, stream } = await peekFirstByte(streamOf());
    expect(firstByte).toBeUndefined();
    expect(await readAllBytes(stream)).toHaveLength(0);
  });

  it('turns bytes into a stream', async () => {
    expect([...(await readAllBytes(toByteStream(new Uint8Array([1, 2]))))]).toEqual([1, 2]);
    expect(await readAllBytes(toByteStream(new Uint8Array()))).toHaveLength(0);
  });

  it.each([
    [0x85, true], // old-format packet header
    [0xc1, true], // new-format packet header
    [0x2d, false], // '-' of an armor header line
    [0x0a, false],
    [undefined, false],
  ])('tells binary OpenPGP (%s) from armor', (byte, binary) => {
    expect(isBinaryPacketStart(byte)).toBe(binary);
  });

  it('replaces a source error with the mapped one, after passing the bytes before it', async () => {
    let sent = false;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('raw'));
        controller.enqueue(new Uint8Array([1]));
        sent = true;
      },
    });
    const reader = mapStreamErrors(failing, (e) => new Error(`mapped: ${(e as Error).message}`)).getReader();
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));
    await expect(reader.read()).rejects.toThrow('mapped: raw');
  });

  it('passes a cancel through to the source', async () => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>({
      cancel(reason) {
        cancelled = reason;
      },
    });
    await mapStreamErrors(source, (e) => e as Error).cancel('stop');
    expect(cancelled).toBe('stop');
  });
});
