import { describe, expect, it } from 'vitest';
import { nobleHashes, prepareStreamedHashes } from './openpgp-hashes';

// The stand-in for openpgp.js's hash chunk must give exactly what the standard algorithms give, whether a streamed
// hash runs in WebAssembly (from the pool) or in @noble/hashes (pool empty), and however the stream is cut.
type StreamedHash = ((data: Uint8Array) => Uint8Array) & {
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array };
};
const hashOf = (name: string) => nobleHashes.get(name) as StreamedHash;
const webCryptoName: Record<string, string> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const expected = async (name: string, data: Uint8Array) =>
  hex(new Uint8Array(await crypto.subtle.digest(webCryptoName[name]!, data as Uint8Array<ArrayBuffer>)));
// The algorithms WebCrypto lacks are @noble/hashes's, unchanged: checked against their published vectors for "abc".
const abcVectors: Record<string, string> = {
  md5: '900150983cd24fb0d6963f7d28e17f72',
  sha224: '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7',
  sha3_256: '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532',
  sha3_512:
    'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0',
  ripemd160: '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc',
};
const randomBytes = (n: number) => {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, at + 65_536));
  return out;
};

function streamed(name: string, data: Uint8Array, piece: number): string {
  const hasher = hashOf(name).create();
  for (let at = 0; at < data.length; at += piece) hasher.update(data.subarray(at, at + piece));
  return hex(hasher.digest());
}

describe('the hashes openpgp.js streams files through', () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);

  it('offers every algorithm openpgp.js asks its chunk for, each giving the standard digest', async () => {
    expect([...nobleHashes.keys()].sort()).toEqual(
      [...Object.keys(webCryptoName), ...Object.keys(abcVectors)].sort(),
    );
    for (const name of Object.keys(webCryptoName)) {
      expect(hex(hashOf(name)(data)), name).toBe(await expected(name, data));
      expect(streamed(name, data, 65_536), name).toBe(await expected(name, data));
    }
    const abc = new TextEncoder().encode('abc');
    for (const [name, vector] of Object.entries(abcVectors)) {
      expect(hex(hashOf(name)(abc)), name).toBe(vector);
      expect(streamed(name, abc, 1), name).toBe(vector);
    }
  });

  it('SHA-256 and SHA-512 from the WebAssembly pool match, however the stream is cut, and reuse is clean', async () => {
    expect(await prepareStreamedHashes()).toBe(true);
    for (const name of ['sha256', 'sha512']) {
      for (const piece of [1, 63, 64 * 1024, 1024 * 1024 + 1]) {
        const part = piece === 1 ? data.subarray(0, 4096) : data;
        expect(streamed(name, part, piece), `${name} in pieces of ${piece}`).toBe(await expected(name, part));
      }
      expect(streamed(name, new Uint8Array(0), 1)).toBe(await expected(name, new Uint8Array(0)));
    }
  });

  it('hashes running at once (more than the pool holds) do not mix their states', async () => {
    await prepareStreamedHashes();
    const inputs = [0, 1, 2, 3, 4].map((i) => data.subarray(i * 1000, i * 1000 + 500_000));
    const hashers = inputs.map(() => hashOf('sha512').create()); // 2 from the pool, the rest @noble/hashes
    for (let at = 0; at < 500_000; at += 100_000) {
      hashers.forEach((h, i) => h.update(inputs[i]!.subarray(at, at + 100_000)));
    }
    for (const [i, h] of hashers.entries())
      expect(hex(h.digest())).toBe(await expected('sha512', inputs[i]!));
    await prepareStreamedHashes(); // the pool is topped up again
    expect(streamed('sha512', inputs[0]!, 4096)).toBe(await expected('sha512', inputs[0]!));
  });

  it('a pooled hash cannot be finished twice (its instance is back in the pool by then)', async () => {
    await prepareStreamedHashes();
    const hasher = hashOf('sha256').create();
    hasher.update(data.subarray(0, 10));
    hasher.digest();
    expect(() => hasher.digest()).toThrow();
  });
});
