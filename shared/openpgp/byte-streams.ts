import { concatBytes } from '../bytes';
import { KeywardError } from '../errors';
/** Web byte streams as openpgp.js and both platforms (browser File.stream(), Node's web streams) use them. */
export type Bytes = ReadableStream<Uint8Array> | Uint8Array;

export function toByteStream(input: Bytes): ReadableStream<Uint8Array> {
  if (!(input instanceof Uint8Array)) return input;
  return new ReadableStream({
    start(controller) {
      if (input.length > 0) controller.enqueue(input);
      controller.close();
    },
  });
}

/**
 * RFC 9580 §4.2: bit 7 of a packet header's first octet is always one, so it tells binary OpenPGP data from ASCII
 * armor (§6), which starts with `-` or white space.
 */
export function isBinaryPacketStart(firstByte: number | undefined): boolean {
  return firstByte !== undefined && (firstByte & 0x80) !== 0;
}

/**
 * Reads the first byte without consuming it: returns the byte (undefined for an empty stream) and a stream that
 * still yields everything, the peeked piece first.
 */
export async function peekFirstByte(
  stream: ReadableStream<Uint8Array>,
): Promise<{ firstByte: number | undefined; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  let head: Uint8Array | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.length > 0) {
      head = value;
      break;
    }
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head === undefined) controller.close();
      else controller.enqueue(head);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { firstByte: head?.[0], stream: replay };
}

/**
 * Passes the bytes through and replaces whatever error the source raises with `mapError(error)`: a stream error
 * cannot be rewritten by `pipeThrough`, and callers must see our error codes, not openpgp.js messages.
 */
export function mapStreamErrors(
  stream: ReadableStream<Uint8Array>,
  mapError: (error: unknown) => Error,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(mapError(error));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Passes the bytes through and errors at the end unless there were exactly `length` of them. A picked file that
 * shrinks on disk while it is read makes Chromium end the file's stream early *without* an error: unchecked, the
 * first part of the file would be encrypted and uploaded as if it were all of it.
 */
export function withExpectedLength(
  stream: ReadableStream<Uint8Array>,
  length: number,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let seen = 0;
  const changed = () =>
    new KeywardError(
      'invalid_input',
      `The file changed on disk while Keyward was reading it (${seen} of ${length} bytes), so it was not used.`,
      { expected: length, read: seen },
    );
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        if (seen === length) controller.close();
        else controller.error(changed());
        return;
      }
      seen += value.byteLength;
      if (seen > length) controller.error(changed());
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Collects a whole stream; for tests and small inputs only (files must stay streamed). */
export async function readAllBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pieces.push(value);
  }
  return pieces.length === 0 ? new Uint8Array(0) : concatBytes(pieces);
}
