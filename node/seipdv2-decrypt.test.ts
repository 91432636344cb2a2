import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAllBytes } from '../shared/openpgp/byte-streams';
import { openDecryptedPackets } from '../shared/openpgp/decrypted-packets';
import { readMessageHead } from '../shared/openpgp/message-head';
import { PROFILE_CONFIG } from '../shared/openpgp/profile';
import { decryptSessionKey } from '../shared/openpgp/session-key';
import { makeTestKey, NOW, type TestKey } from '../tests/fixtures/test-keys';
import { decrypt } from './decrypt';
import { decryptSeipdv2, isSeipdv2Gcm } from './seipdv2-decrypt';

// The Node reader of SEIPDv2 AES-GCM (seipdv2-decrypt.ts) against openpgp.js, which writes every file here: the
// same plaintext, name and signatures for every shape of file, and never a clean end for an altered one.

let alice: TestKey;
let bob: TestKey;
beforeAll(async () => {
  alice = await makeTestKey();
  bob = await makeTestKey({ version: 6, name: 'Bob', email: 'bob@example.org' });
});

/** A file as openpgp.js writes it (Keyward's profile, any chunk size), to Alice, optionally signed by Bob. */
async function encrypted(plaintext: Uint8Array, options: { c?: number; signed?: boolean } = {}) {
  const message = await openpgp.createMessage({ binary: plaintext, filename: 'f.bin', date: NOW });
  return (await openpgp.encrypt({
    message,
    encryptionKeys: await openpgp.readKey({ armoredKey: alice.publicKeyArmored }),
    ...(options.signed ? { signingKeys: await openpgp.readPrivateKey({ armoredKey: bob.unlocked }) } : {}),
    format: 'binary',
    date: NOW,
    config: { ...PROFILE_CONFIG, aeadChunkSizeByte: options.c ?? 12 },
  })) as Uint8Array;
}

/** The file as a stream cut into pieces of the given sizes (cycled), as a disk or a socket would deliver it. */
function pieces(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const size = sizes[i++ % sizes.length]!;
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** Through the Node reader alone: head, session key (openpgp.js), our AEAD layer, packets (openpgp.js). */
async function nodeReader(ciphertext: Uint8Array, sizes: readonly number[] = [64 * 1024]) {
  const reader = pieces(ciphertext, sizes).getReader();
  const head = await readMessageHead(reader);
  expect(isSeipdv2Gcm(head)).toBe(true);
  const sessionKey = await decryptSessionKey({
    keyPackets: head.bytes.subarray(0, head.dataOffset),
    keys: [alice.unlocked],
    date: NOW,
  });
  return openDecryptedPackets({
    packets: decryptSeipdv2(head, reader, sessionKey!.data),
    verificationKeys: [bob.publicKeyArmored],
    date: NOW,
  });
}

/** Reads to the end; what came out before an error, and the error. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<{ out: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    return { out: Buffer.concat(parts), error: null };
  } catch (error) {
    return { out: Buffer.concat(parts), error };
  }
}

describe('the Node SEIPDv2 reader gives what openpgp.js gives', () => {
  it('for any size, chunk size, signed or not, however the file arrives in pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }), // chunks of 64 B to 4 KiB: every boundary is exercised with little data
        fc.integer({ min: 0, max: 20_000 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
        async (c, size, signed, sizes) => {
          const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) % 256);
          const opened = await nodeReader(await encrypted(plaintext, { c, signed }), sizes);
          expect(Buffer.from(await readAllBytes(opened.plaintext)).equals(Buffer.from(plaintext))).toBe(true);
          expect(opened.filename).toBe('f.bin');
          expect(await opened.signatures).toEqual(signed ? [{ keyId: bob.summary.keyId, valid: true }] : []);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('at exact chunk multiples, the empty file, and the largest chunk size RFC 9580 allows', async () => {
    for (const [c, size] of [
      [0, 0],
      [0, 64],
      [0, 128],
      [2, 256 * 5],
      [16, 100_000],
    ] as const) {
      const plaintext = new Uint8Array(size).fill(9);
      const opened = await nodeReader(await encrypted(plaintext, { c }), [7, 1000]);
      expect(await readAllBytes(opened.plaintext)).toEqual(plaintext);
    }
  });

  it('and decrypt() gives the same for Keyward files, GnuPG-style SEIPDv1 files and password files', async () => {
    const plaintext = new TextEncoder().encode('the same everywhere');
    const v1 = (await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: plaintext }),
      encryptionKeys: await openpgp.readKey({ armoredKey: alice.publicKeyArmored }),
      format: 'binary',
      config: { aeadProtect: false },
      date: NOW,
    })) as Uint8Array;
    const withPassword = (await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: plaintext }),
      encryptionKeys: await openpgp.readKey({ armoredKey: alice.publicKeyArmored }),
      passwords: ['also a password'],
      format: 'binary',
      config: { ...PROFILE_CONFIG, s2kType: openpgp.enums.s2k.iterated },
      date: NOW,
    })) as Uint8Array;
    for (const file of [await encrypted(plaintext, { signed: true }), v1, withPassword]) {
      const result = await decrypt({ ciphertext: file, keys: alice.unlocked, date: NOW });
      expect(await readAllBytes(result.plaintext)).toEqual(plaintext);
    }
    const armored = openpgp.armor(openpgp.enums.armor.message, await encrypted(plaintext));
    const fromArmor = await decrypt({
      ciphertext: new TextEncoder().encode(armored),
      keys: alice.unlocked,
      date: NOW,
    });
    expect(await readAllBytes(fromArmor.plaintext)).toEqual(plaintext);
  });
});

/** The data packet's body, its partial lengths (RFC 9580 §4.2.1.4) joined. */
function dataBody(file: Uint8Array, dataStart: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = dataStart + 1; ;) {
    const o1 = file[at]!;
    if (o1 >= 224 && o1 < 255) {
      parts.push(file.subarray(at + 1, at + 1 + 2 ** (o1 & 0x1f)));
      at += 1 + 2 ** (o1 & 0x1f);
      continue;
    }
    expect(o1).toBeLessThan(224); // openpgp.js ends with a one- or two-octet length for these small files
    const [start, length] = o1 < 192 ? [at + 1, o1] : [at + 2, ((o1 - 192) << 8) + file[at + 1]! + 192];
    parts.push(file.subarray(start, start + length));
    return Buffer.concat(parts);
  }
}

/** The file with its data packet replaced by one of this body, framed with a five-octet length (§4.2.1.3). */
function withBody(file: Uint8Array, dataStart: number, body: Uint8Array): Uint8Array {
  const header = new Uint8Array([0xc0 | 18, 255, 0, 0, 0, 0]);
  new DataView(header.buffer).setUint32(2, body.length);
  return Buffer.concat([file.subarray(0, dataStart), header, body]);
}

describe('an altered file never ends cleanly, and nothing unauthenticated comes out', () => {
  const size = 64 * 10 + 17; // c=0: 64-byte chunks, the last one short
  const plaintext = Uint8Array.from({ length: size }, (_, i) => i % 251);
  let file: Uint8Array;
  let dataStart: number;
  let bodyStart: number;
  beforeAll(async () => {
    file = await encrypted(plaintext, { c: 0 });
    const head = await readMessageHead(pieces(file, [file.length]).getReader());
    [dataStart, bodyStart] = [head.dataOffset, head.dataBodyOffset];
  });

  /** Whatever came out is a prefix of the real plaintext (released chunk by chunk after their tags), and it failed. */
  async function refuses(altered: Uint8Array) {
    let result: { out: Uint8Array; error: unknown };
    try {
      result = await drain((await nodeReader(altered, [13, 200])).plaintext);
    } catch (error) {
      result = { out: new Uint8Array(0), error };
    }
    expect(result.error).toMatchObject({ code: 'invalid_input' });
    expect(Buffer.from(plaintext.subarray(0, result.out.length)).equals(Buffer.from(result.out))).toBe(true);
  }

  it('a flipped bit anywhere in the encrypted data (chunks, tags, the final tag)', async () => {
    for (let at = dataStart + 40; at < file.length; at += 7) {
      const altered = file.slice();
      altered[at]! ^= 0x10;
      await refuses(altered);
    }
    const lastByte = file.slice();
    lastByte[lastByte.length - 1]! ^= 1;
    await refuses(lastByte);
  });

  it('a file cut short anywhere, at chunk boundaries included (the final tag authenticates the length)', async () => {
    for (let end = dataStart + 36; end < file.length; end += 5) await refuses(file.slice(0, end));
    // Cut right after a whole chunk (the short last chunk and the final tag gone) and framed again as a whole
    // packet of that length: still refused. The same framing of the whole body opens, so the cut is what fails.
    const body = dataBody(file, dataStart);
    const reframed = withBody(file, dataStart, body);
    expect(await readAllBytes((await nodeReader(reframed)).plaintext)).toEqual(plaintext);
    // The chunks (64 bytes and a tag each) start after version, cipher, aead, chunk size and the salt (36 bytes);
    // the final tag ends the body; the last chunk is short.
    const fullChunks = Math.floor((body.length - 36 - 16) / 80);
    const wholeChunks = body.subarray(0, 36 + 80 * fullChunks);
    await refuses(withBody(file, dataStart, wholeChunks));
    // The short last chunk dropped, the final tag kept: every chunk left checks out, the final tag does not. (The
    // packets inside would notice too, so this checks the AEAD layer alone.)
    const lastChunkDropped = Buffer.concat([wholeChunks, body.subarray(-16)]);

    const reader = pieces(withBody(file, dataStart, lastChunkDropped), [50]).getReader();
    const head = await readMessageHead(reader);
    const key = await decryptSessionKey({
      keyPackets: head.bytes.subarray(0, head.dataOffset),
      keys: [alice.unlocked],
      date: NOW,
    });
    const layer = await drain(decryptSeipdv2(head, reader, key!.data));
    expect(layer.error).toMatchObject({ code: 'invalid_input' });
    expect(layer.out.length).toBe(64 * fullChunks); // the authentic chunks came out; the end never did
  });

  it('bytes appended after the data packet, and two chunks swapped', async () => {
    await refuses(Buffer.concat([file, new Uint8Array([0xc2, 1, 0])]));
    const swapped = file.slice();
    const first = bodyStart + 36; // after version, cipher, aead, chunk size and the salt
    const chunk = 64 + 16;
    swapped.set(file.subarray(first + chunk, first + 2 * chunk), first);
    swapped.set(file.subarray(first, first + chunk), first + chunk);
    await refuses(swapped);
  });

  it('someone else’s key: refused before any data is read, naming the recipient', async () => {
    await expect(decrypt({ ciphertext: file, keys: bob.unlocked, date: NOW })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(alice.summary.subkeys[0]!.keyId) as unknown,
    });
  });

  it('a chunk size beyond RFC 9580 goes to openpgp.js and is refused there', async () => {
    const tooLarge = file.slice();
    tooLarge[bodyStart + 3] = 17; // version, cipher, aead, then the chunk size octet
    expect(isSeipdv2Gcm(await readMessageHead(pieces(tooLarge, [tooLarge.length]).getReader()))).toBe(false);
    await expect(decrypt({ ciphertext: tooLarge, keys: alice.unlocked, date: NOW })).rejects.toMatchObject({
      message: expect.stringContaining("beyond RFC 9580's limit") as unknown,
    });
  });
});

// RFC 9580 Appendix A.11, "Sample AEAD-GCM Encryption and Decryption": "Hello, world!" encrypted with AES-128 in
// GCM mode (chunk size octet 6) under the passphrase "password". The bytes are the appendix's own hex dumps: the v6
// SKESK (A.11.1), the session key it carries (A.11.2), the v2 SEIPD packet (A.11.3) and its decrypted chunk #0
// (A.11.4: a Literal Data packet, then a Padding packet); A.11.5 is the same two packets armored. A.11.4 also
// gives the HKDF output (message key ea14…778d, IV 4d2bdc2b), the nonces and the additional data: the reader
// exposes none of them, but GCM checks each through the chunk tag and the final tag (whose additional data carries
// the total length, 0x25), so the output below matches only if every one of them does.
// (The reader asks HKDF for 16 + 12 octets where the RFC asks for 16 + 4; a shorter HKDF output is a prefix of a
// longer one, and only the IV's first 4 octets reach the nonce, so the two agree.)
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const RFC_SKESK = hex(`
  c3 3c 06 1a 07 03 0b 03  08 e9 d3 97 85 b2 07 00  08 ff b4 2e 7c 48 3e f4  88 44 57 cb 37 26 b9 b3
  db 9f f7 76 e5 f4 d9 a4  09 52 e2 44 72 98 85 1a  bf ff 75 26 df 2d d5 54  41 75 79 a7 79 9f`);
const RFC_SESSION_KEY = hex('19 36 fc 85 68 98 02 74 bb 90 0d 83 19 36 0c 77');
const RFC_SEIPD = hex(`
  d2 69 02 07 03 06 fc b9  44 90 bc b9 8b bd c9 d1  06 c6 09 02 66 94 0f 72  e8 9e dc 21 b5 59 6b 15
  76 b1 01 ed 0f 9f fc 6f  c6 d6 5b bf d2 4d cd 07  90 96 6e 6d 1e 85 a3 00  53 78 4c b1 d8 b6 a0 69
  9e f1 21 55 a7 b2 ad 62  58 53 1b 57 65 1f d7 77  79 12 fa 95 e3 5d 9b 40  21 6f 69 a4 c2 48 db 28
  ff 43 31 f1 63 29 07 39  9e 6f f9`);
const RFC_LITERAL = hex('cb 13 62 00 00 00 00 00 48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21');
const RFC_PADDING = hex('d5 0e 1c e2 26 9a 9e dd ef 81 03 21 72 b7 ed 7c');
const RFC_ARMORED = `-----BEGIN PGP MESSAGE-----

wzwGGgcDCwMI6dOXhbIHAAj/tC58SD70iERXyzcmubPbn/d25fTZpAlS4kRymIUa
v/91Jt8t1VRBdXmneZ/SaQIHAwb8uUSQvLmLvcnRBsYJAmaUD3LontwhtVlrFXax
Ae0Pn/xvxtZbv9JNzQeQlm5tHoWjAFN4TLHYtqBpnvEhVaeyrWJYUxtXZR/Xd3kS
+pXjXZtAIW9ppMJI2yj/QzHxYykHOZ5v+Q==
-----END PGP MESSAGE-----`;

describe('RFC 9580 Appendix A.11 (AEAD-GCM sample): the Node reader gives the RFC’s plaintext', () => {
  const file = Buffer.concat([RFC_SKESK, RFC_SEIPD]);
  const decrypted = Buffer.concat([RFC_LITERAL, RFC_PADDING]);

  /** The SEIPD layer alone, with the RFC's session key: what came out, and the error if any (thrown or streamed). */
  async function rfcLayer(bytes: Uint8Array, sizes: readonly number[] = [bytes.length]) {
    try {
      const reader = pieces(bytes, sizes).getReader();
      const head = await readMessageHead(reader);
      return await drain(decryptSeipdv2(head, reader, RFC_SESSION_KEY));
    } catch (error) {
      return { out: new Uint8Array(0), error };
    }
  }

  /** Refused, and whatever came out is a prefix of the RFC's decrypted chunk (released only after its tag). */
  async function rfcRefuses(bytes: Uint8Array) {
    const { out, error } = await rfcLayer(bytes, [5, 60]);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(decrypted.subarray(0, out.length).equals(Buffer.from(out))).toBe(true);
  }

  it('the hex dumps are the complete sequence (A.11.5), and the SKESK with "password" gives the session key', async () => {
    // Armor read from a string gives its bytes at once, not a stream.
    const armorBytes = (await openpgp.unarmor(RFC_ARMORED)).data as Uint8Array;
    expect(Buffer.from(armorBytes).equals(file)).toBe(true);
    const message = await openpgp.readMessage({ binaryMessage: file });
    const [sessionKey] = await openpgp.decryptSessionKeys({ message, passwords: ['password'] });
    expect(sessionKey!.data).toEqual(RFC_SESSION_KEY);
  });

  it('decrypts the SEIPD packet to the Literal Data and Padding packets, however the file arrives', async () => {
    for (const sizes of [[file.length], [1], [7, 50], [63, 1]]) {
      const reader = pieces(file, sizes).getReader();
      const head = await readMessageHead(reader);
      expect(head.dataOffset).toBe(RFC_SKESK.length);
      expect(isSeipdv2Gcm(head)).toBe(true);
      const { out, error } = await drain(decryptSeipdv2(head, reader, RFC_SESSION_KEY));
      expect(error).toBeNull();
      expect(Buffer.from(out).equals(decrypted)).toBe(true);
    }
    // And the packets inside, read by openpgp.js, are the literal data "Hello, world!" with no name.
    const reader = pieces(file, [file.length]).getReader();
    const head = await readMessageHead(reader);
    const opened = await openDecryptedPackets({
      packets: decryptSeipdv2(head, reader, RFC_SESSION_KEY),
      verificationKeys: [],
      date: NOW,
    });
    expect(new TextDecoder().decode(await readAllBytes(opened.plaintext))).toBe('Hello, world!');
    expect(opened.filename).toBe('');
  });

  it('any one byte of the SEIPD packet changed fails, and so does another session key', async () => {
    for (let at = RFC_SKESK.length; at < file.length; at++) {
      for (const flip of [0x01, 0x80]) {
        const altered = Buffer.from(file);
        altered[at]! ^= flip;
        await rfcRefuses(altered);
      }
    }
    const otherKey = RFC_SESSION_KEY.slice();
    otherKey[0]! ^= 1;
    const reader = pieces(file, [file.length]).getReader();
    const { out, error } = await drain(decryptSeipdv2(await readMessageHead(reader), reader, otherKey));
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(out.length).toBe(0);
  });

  it('cut short anywhere, cut at the chunk boundary and framed again, or with bytes after it, fails', async () => {
    for (let end = RFC_SKESK.length; end < file.length; end++) await rfcRefuses(file.subarray(0, end));
    // The body framed again with a five-octet length still opens: the framing is not what the cuts below break.
    const body = RFC_SEIPD.subarray(2); // after the packet tag and its one-octet length (0x69)
    const reframed = await rfcLayer(withBody(file, RFC_SKESK.length, body));
    expect(reframed.error).toBeNull();
    expect(Buffer.from(reframed.out).equals(decrypted)).toBe(true);
    // The body: version, cipher, AEAD mode, chunk size and the salt (36 octets), chunk #0 (37 octets and its tag),
    // the final tag (16 octets). Chunk #0 dropped, the final tag kept: the final tag, over a total length of 0,
    // fails. The final tag dropped: the chunk is taken apart wrongly and fails.
    const chunkDropped = Buffer.concat([body.subarray(0, 36), body.subarray(-16)]);
    await rfcRefuses(withBody(file, RFC_SKESK.length, chunkDropped));
    await rfcRefuses(withBody(file, RFC_SKESK.length, body.subarray(0, -16)));
    await rfcRefuses(Buffer.concat([file, new Uint8Array([0xd5, 0])]));
  });
});
