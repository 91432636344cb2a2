import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const BLOCK = 16 * 1024 * 1024;

/**
 * Writes `bytes` of random-looking data quickly (one random 16 MiB block, numbered afresh each time, so no two
 * blocks are equal) and resolves with the file's SHA-256 in hex.
 */
export async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const random = randomBytes(BLOCK);
  function* blocks() {
    for (let done = 0, n = 0; done < bytes; done += BLOCK, n++) {
      // A copy each time: the stream may still be writing the previous block.
      const block = Buffer.from(random.subarray(0, Math.min(BLOCK, bytes - done)));
      if (block.length >= 4) block.writeUInt32BE(n, 0);
      hash.update(block);
      yield block;
    }
  }
  await pipeline(Readable.from(blocks()), createWriteStream(path));
  return hash.digest('hex');
}
