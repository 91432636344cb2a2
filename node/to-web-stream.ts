/** What the library reads bytes from: a buffer, a web stream, or a Node stream (any async iterable of bytes). */
export type ByteInput = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * openpgp.js reads web streams. A Node stream is wrapped by pulling its async iterator, one piece per pull, so
 * nothing is read ahead of what encryption asks for (memory stays flat) and cancelling the web stream (an error
 * further down) destroys the Node stream.
 */
export function toWebStream(input: ByteInput): Uint8Array | ReadableStream<Uint8Array> {
  if (input instanceof Uint8Array || input instanceof ReadableStream) return input;
  const iterator: AsyncIterator<unknown, unknown> = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // An empty piece must not end a pull without an enqueue: the stream would not pull again.
        for (;;) {
          const { done, value } = await iterator.next();
          if (done) return controller.close();
          if (!(value instanceof Uint8Array)) {
            return controller.error(
              new TypeError('Expected a stream of bytes (Buffer or Uint8Array), not text.'),
            );
          }
          if (value.length > 0) return controller.enqueue(value);
        }
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
