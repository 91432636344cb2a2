/**
 * Stands in for openpgp.js's `noble_hashes` chunk in the extension's build (wxt.config.ts swaps it in; the build
 * fails if it no longer can). In browsers openpgp.js hashes a *stream* through this chunk: WebCrypto only has a
 * one-shot digest. Every signed upload hashes the whole file this way, and so does checking a signed download.
 *
 * Same functions as openpgp.js's chunk (the audited @noble/hashes), except that a streamed SHA-256 or SHA-512
 * runs in hash-wasm's WebAssembly build of the same standard algorithm when one is ready: SHA-512 in JavaScript
 * has to emulate 64-bit arithmetic (76 MB/s in Chromium here, against 194 MB/s in WebAssembly;
 * docs/benchmarks.md). Hashing only reads what is signed; no key or secret goes through it.
 *
 * WebAssembly instances are made asynchronously, so a few are made ahead (`prepareStreamedHashes`) and reused; a
 * hash started while none is free (or where WebAssembly is unavailable) runs in @noble/hashes, with the same
 * result, only slower.
 */
import { md5, ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha3_256, sha3_512 } from '@noble/hashes/sha3.js';
import { createSHA256, createSHA512, type IHasher } from 'hash-wasm';

/** The part of a @noble/hashes function openpgp.js uses: one-shot, or `create()` for a streamed hash. */
interface StreamedHashFunction {
  (data: Uint8Array): Uint8Array;
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array };
}

/** Enough for a signed upload and a signed download at once, each with one signature. */
const POOL_SIZE = 2;

function pooled(noble: StreamedHashFunction, makeWasm: () => Promise<IHasher>) {
  const free: IHasher[] = [];
  let making = 0;
  let unavailable = false;

  function topUp(): Promise<void> {
    const wanted = unavailable ? 0 : POOL_SIZE - free.length - making;
    const made = Array.from({ length: Math.max(0, wanted) }, async () => {
      making++;
      try {
        free.push(await makeWasm());
      } catch {
        unavailable = true; // no WebAssembly here (or its CSP forbids it): @noble/hashes serves every hash
      } finally {
        making--;
      }
    });
    return Promise.all(made).then(() => undefined);
  }

  const fn = ((data: Uint8Array) => noble(data)) as StreamedHashFunction;
  fn.create = () => {
    const wasm = free.pop();
    void topUp();
    if (wasm === undefined) return noble.create();
    wasm.init();
    let done = false;
    return {
      update(data: Uint8Array) {
        wasm.update(data);
        return this;
      },
      digest() {
        if (done) throw new Error('digest() was already called');
        done = true;
        const out = wasm.digest('binary');
        free.push(wasm);
        return out;
      },
    };
  };
  return { fn, topUp, ready: () => !unavailable };
}

const fastSha256 = pooled(sha256, createSHA256);
const fastSha512 = pooled(sha512, createSHA512);

/**
 * Makes the WebAssembly hashes ready (once; later calls return at once). Call before a streamed signature or
 * check starts, so that the first file after start-up gets them too. Never fails: without WebAssembly the
 * JavaScript hashes serve, and the answer is false.
 */
export async function prepareStreamedHashes(): Promise<boolean> {
  await Promise.all([fastSha256.topUp(), fastSha512.topUp()]);
  return fastSha256.ready() && fastSha512.ready();
}

/** What openpgp.js imports from its chunk: the same names, the same interface. */
export const nobleHashes = new Map<string, unknown>(
  Object.entries({
    md5,
    sha1,
    sha224,
    sha256: fastSha256.fn,
    sha384,
    sha512: fastSha512.fn,
    sha3_256,
    sha3_512,
    ripemd160,
  }),
);
