/**
 * Bytes arriving as a stream of pieces, taken off the front in the sizes a parser asks for. A take within one
 * piece is a view of it (no copy); only a take across pieces copies.
 */
export interface ByteQueue {
  readonly length: number;
  /** True once the source has no more bytes (what is queued may still be taken). */
  readonly ended: boolean;
  /** Reads from the source until `n` bytes are queued or it ends; true when `n` are there. */
  fill(n: number): Promise<boolean>;
  /** Exactly `n` bytes (`n` <= length). */
  take(n: number): Uint8Array;
  /** Up to `max` bytes from the first piece, without copying (at least one byte when any is queued). */
  takeSome(max: number): Uint8Array;
  /** Exactly `n` bytes (`n` <= length) as views of the queued pieces, without copying. */
  takePieces(n: number): Uint8Array[];
}

export function byteQueue(first: Uint8Array, next: () => Promise<Uint8Array | undefined>): ByteQueue {
  const pieces: Uint8Array[] = first.length > 0 ? [first] : [];
  let length = first.length;
  let ended = false;
  const shift = (n: number) => {
    const head = pieces[0]!;
    if (n === head.length) pieces.shift();
    else pieces[0] = head.subarray(n);
    length -= n;
  };
  return {
    get length() {
      return length;
    },
    get ended() {
      return ended;
    },
    async fill(n) {
      while (length < n && !ended) {
        const piece = await next();
        if (piece === undefined) ended = true;
        else if (piece.length > 0) {
          pieces.push(piece);
          length += piece.length;
        }
      }
      return length >= n;
    },
    take(n) {
      const head = pieces[0];
      if (n === 0) return new Uint8Array(0);
      if (head !== undefined && head.length >= n) {
        const out = head.subarray(0, n);
        shift(n);
        return out;
      }
      const out = new Uint8Array(n);
      for (let o = 0; o < n;) {
        const piece = pieces[0]!;
        const k = Math.min(piece.length, n - o);
        out.set(piece.subarray(0, k), o);
        o += k;
        shift(k);
      }
      return out;
    },
    takePieces(n) {
      const out: Uint8Array[] = [];
      for (let left = n; left > 0;) {
        const piece = pieces[0]!.subarray(0, left);
        out.push(piece);
        shift(piece.length);
        left -= piece.length;
      }
      return out;
    },
    takeSome(max) {
      const head = pieces[0]!;
      const n = Math.min(max, head.length);
      const out = head.subarray(0, n);
      shift(n);
      return out;
    },
  };
}
