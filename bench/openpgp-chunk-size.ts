/**
 * Measures openpgp.js SEIPDv2 AES-256-GCM throughput in Node for several AEAD chunk sizes, to choose
 * `aeadChunkSizeByte` in shared/openpgp/profile.ts. Run: `node --import tsx bench/openpgp-chunk-size.ts`.
 *
 * Each run streams a 64 MiB random buffer through encrypt and then decrypt, fed as 64 KiB pieces (what
 * `Blob.stream()` yields in browsers and Node), and drains the output, so it exercises the same streaming path as
 * file encryption. RFC 9580 §5.13.2: chunk size = 2^(c+6) bytes, and c MUST NOT exceed 16 (4 MiB) when writing,
 * so 16 is the largest candidate. The reference is raw node:crypto AES-256-GCM over the same bytes in 4 MiB pieces,
 * the ceiling for any OpenPGP framing on this machine. MB = 10^6 bytes.
 */
import { createCipheriv, randomBytes, randomFillSync } from 'node:crypto';
import * as openpgp from 'openpgp';
import { PROFILE_CONFIG } from '../shared/openpgp/profile';
import { piecewise } from '../tests/fixtures/piecewise-stream';

const SIZE = 64 * 1024 * 1024;
const PIECE = 64 * 1024;
const RUNS = 3;
const CHUNK_SIZE_BYTES = [8, 10, 12, 14, 16];

async function drain(stream: ReadableStream<Uint8Array>, keep: boolean): Promise<Uint8Array | number> {
  const pieces: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (keep) pieces.push(value);
  }
  if (!keep) return total;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function rawGcm(data: Uint8Array): number {
  const started = performance.now();
  const key = randomBytes(32);
  for (let offset = 0; offset < data.length; offset += 4 * 1024 * 1024) {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    cipher.update(data.subarray(offset, offset + 4 * 1024 * 1024));
    cipher.final();
    cipher.getAuthTag();
  }
  return mbPerSecond(data.length, performance.now() - started);
}

async function main(): Promise<void> {
  const data = randomFillSync(new Uint8Array(SIZE));
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name: 'Bench', email: 'bench@example.org' }],
    format: 'object',
    config: PROFILE_CONFIG,
  });

  console.log(
    `node ${process.version}, 64 MiB, ${RUNS} runs each, median MB/s (streamed, 64 KiB input pieces)`,
  );
  console.log(
    `raw node:crypto AES-256-GCM, 4 MiB pieces: ${median([1, 2, 3].map(() => rawGcm(data))).toFixed(0)}`,
  );
  console.log('c   chunk      encrypt   decrypt');
  for (const c of CHUNK_SIZE_BYTES) {
    const config = { ...PROFILE_CONFIG, aeadChunkSizeByte: c };
    const encryptRates: number[] = [];
    const decryptRates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      const message = await openpgp.createMessage({ binary: piecewise(data, PIECE), format: 'binary' });
      const encrypted: unknown = await openpgp.encrypt({
        message,
        encryptionKeys: publicKey,
        format: 'binary',
        config,
      });
      const ciphertext = (await drain(encrypted as ReadableStream<Uint8Array>, true)) as Uint8Array;
      encryptRates.push(mbPerSecond(SIZE, performance.now() - started));

      started = performance.now();
      const decrypted: { data: unknown } = await openpgp.decrypt({
        message: await openpgp.readMessage({ binaryMessage: piecewise(ciphertext) }),
        decryptionKeys: privateKey,
        format: 'binary',
        config,
      });
      const length = await drain(decrypted.data as ReadableStream<Uint8Array>, false);
      decryptRates.push(mbPerSecond(SIZE, performance.now() - started));
      if (length !== SIZE) throw new Error(`decrypted ${String(length)} bytes, expected ${SIZE}`);
    }
    const chunk = 2 ** (c + 6) >= 1024 * 1024 ? `${2 ** (c + 6 - 20)} MiB` : `${2 ** (c + 6 - 10)} KiB`;
    console.log(
      `${String(c).padEnd(3)} ${chunk.padEnd(10)} ${median(encryptRates).toFixed(0).padStart(7)}   ` +
        median(decryptRates).toFixed(0).padStart(7),
    );
  }
}

await main();
