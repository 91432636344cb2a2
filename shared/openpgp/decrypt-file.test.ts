import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_PASSPHRASE,
  makeTestKey,
  NOW,
  readFixture,
  type TestKey,
} from '../../tests/fixtures/test-keys';
import { KeywardError } from '../errors';
import { readAllBytes } from './byte-streams';
import { decryptFile } from './decrypt-file';
import { encryptFile } from './encrypt-file';
import { inspectMessage } from './inspect-message';
import { unlockKey, type UnlockedKey } from './lock-key';
import { AEAD_CHUNK_SIZE_BYTE, PROFILE_CONFIG } from './profile';
import { piecewise } from '../../tests/fixtures/piecewise-stream';

const CHUNK = 2 ** (AEAD_CHUNK_SIZE_BYTE + 6);
const TAG = 16; // GCM tag, RFC 9580 §5.13.2
const PLAINTEXT = randomBytes(3 * CHUNK + 12345); // chunks 0..2 full, chunk 3 partial

let alice: TestKey;
let seipdv2: Uint8Array; // PLAINTEXT for alice
let seipdv1: Uint8Array; // PLAINTEXT for the GnuPG fixture key
let gnupgUnlocked: UnlockedKey;

async function encryptFor(recipient: string): Promise<Uint8Array> {
  const { ciphertext } = await encryptFile({ plaintext: PLAINTEXT, recipients: [recipient], date: NOW });
  return readAllBytes(ciphertext);
}

beforeAll(async () => {
  alice = await makeTestKey();
  gnupgUnlocked = await unlockKey(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
  seipdv2 = await encryptFor(alice.publicKeyArmored);
  seipdv1 = await encryptFor(readFixture('gnupg-ed25519.pub'));
});

/** Decrypts as a consumer would: everything the stream hands out, and the error that ends it, if any. */
async function decryptToEnd(ciphertext: Uint8Array | string, keys: UnlockedKey[]) {
  const received: Uint8Array[] = [];
  try {
    const input =
      typeof ciphertext === 'string' ? new TextEncoder().encode(ciphertext) : piecewise(ciphertext);
    const { plaintext } = await decryptFile({ ciphertext: input, keys, date: NOW });
    const reader = plaintext.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { output: Buffer.concat(received), error: null };
      received.push(value);
    }
  } catch (error) {
    return { output: Buffer.concat(received), error };
  }
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 0x01;
  return copy;
}

/** Rewrites the encrypted body of the SEIPD packet and re-frames it, so packet lengths stay consistent. */
async function rewriteBody(
  ciphertext: Uint8Array,
  change: (body: Uint8Array) => Uint8Array,
): Promise<Uint8Array> {
  const message = await openpgp.readMessage({ binaryMessage: ciphertext });
  const seipd = message.packets[message.packets.length - 1] as unknown as { encrypted: unknown };
  seipd.encrypted = change(await toBytes(seipd.encrypted));
  return toBytes(message.write());
}

/** openpgp.js keeps packet bodies as streams even when it read them from bytes. */
async function toBytes(data: unknown): Promise<Uint8Array> {
  return data instanceof Uint8Array ? data : readAllBytes(data as ReadableStream<Uint8Array>);
}

const chunk = (body: Uint8Array, i: number) => body.subarray(i * (CHUNK + TAG), (i + 1) * (CHUNK + TAG));
const finalTag = (body: Uint8Array) => body.subarray(body.length - TAG);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/**
 * The stream must end in our error, and nothing released may differ from the real plaintext: SEIPDv2 releases a
 * chunk only after its own tag verified, so what came out before the error is authentic but incomplete. (With
 * only the final tag damaged every chunk is authentic and released; the error still tells the consumer to discard.)
 */
function expectRefused(result: { output: Buffer; error: unknown }, code: string, message: RegExp): void {
  expect(result.error).toBeInstanceOf(KeywardError);
  expect((result.error as KeywardError).code).toBe(code);
  expect((result.error as KeywardError).message).toMatch(message);
  expect(result.output.length).toBeLessThanOrEqual(PLAINTEXT.length);
  expect(result.output.equals(PLAINTEXT.subarray(0, result.output.length))).toBe(true);
}

describe('decryptFile', () => {
  it('decrypts binary and armored messages', async () => {
    expect((await decryptToEnd(seipdv2, [alice.unlocked])).output.equals(PLAINTEXT)).toBe(true);
    const armored = openpgp.armor(openpgp.enums.armor.message, seipdv2);
    expect((await decryptToEnd(armored, [alice.unlocked])).output.equals(PLAINTEXT)).toBe(true);
  });

  it('finds the right key among several', async () => {
    const result = await decryptToEnd(seipdv1, [alice.unlocked, gnupgUnlocked]);
    expect(result.error).toBeNull();
    expect(result.output.equals(PLAINTEXT)).toBe(true);
  });

  it('decrypts for a hidden recipient (wildcard key id) by trying its keys', async () => {
    const key = await openpgp.readKey({ armoredKey: alice.publicKeyArmored });
    const message = await openpgp.createMessage({ binary: new Uint8Array([7, 8, 9]) });
    const encrypted: unknown = await openpgp.encrypt({
      message,
      encryptionKeys: key,
      wildcard: true,
      format: 'binary',
      config: PROFILE_CONFIG,
    });
    const hidden = encrypted as Uint8Array;
    expect(await inspectMessage(hidden)).toMatchObject({ recipients: [], hiddenRecipients: 1 });
    expect([...(await decryptToEnd(hidden, [alice.unlocked])).output]).toEqual([7, 8, 9]);
  });

  describe('refuses a truncated file without releasing anything past the cut', () => {
    it.each([
      ['inside the session key packet', () => 20],
      ['inside the encrypted data header', () => 120],
      ['inside the first chunk', () => CHUNK / 2],
      ['inside a later chunk', () => 2 * CHUNK + 1000],
      ['just before the final tag', (n: number) => n - TAG],
      ['one byte short', (n: number) => n - 1],
    ])('SEIPDv2, cut %s', async (_, cut) => {
      const result = await decryptToEnd(seipdv2.subarray(0, cut(seipdv2.length)), [alice.unlocked]);
      expectRefused(result, 'invalid_input', /incomplete|damaged/);
      expect(result.output.length).toBeLessThan(PLAINTEXT.length);
    });

    it.each([
      ['inside the first kilobytes', () => 1000],
      ['in the middle', (n: number) => Math.floor(n / 2)],
      ['inside the integrity check (MDC)', (n: number) => n - 5],
    ])('SEIPDv1, cut %s: nothing at all is released', async (_, cut) => {
      const result = await decryptToEnd(seipdv1.subarray(0, cut(seipdv1.length)), [gnupgUnlocked]);
      expectRefused(result, 'invalid_input', /incomplete|damaged/);
      expect(result.output.length).toBe(0);
    });

    it('rejects a file truncated at a chunk boundary and re-framed to look complete', async () => {
      const truncated = await rewriteBody(seipdv2, (body) =>
        concat(chunk(body, 0), chunk(body, 1), finalTag(body)),
      );
      const result = await decryptToEnd(truncated, [alice.unlocked]);
      expectRefused(result, 'invalid_input', /damaged/);
      expect(result.output.length).toBeLessThanOrEqual(2 * CHUNK);
    });

    it('rejects a file whose last chunk was dropped', async () => {
      const dropped = await rewriteBody(seipdv2, (body) =>
        concat(chunk(body, 0), chunk(body, 1), chunk(body, 2), finalTag(body)),
      );
      const result = await decryptToEnd(dropped, [alice.unlocked]);
      expectRefused(result, 'invalid_input', /damaged/);
      expect(result.output.length).toBeLessThanOrEqual(3 * CHUNK);
    });
  });

  describe('refuses a tampered file', () => {
    it.each([
      ['in the salt', () => 4 + 10],
      ['in the first chunk', () => 1000],
      ['in a later chunk', () => 2 * (CHUNK + TAG) + 5],
      ['in a chunk tag', () => CHUNK + 3],
      ['in the final tag', (n: number) => n - 3],
    ])('SEIPDv2, a bit flipped %s', async (_, at) => {
      const tampered = await rewriteBody(seipdv2, (body) => flip(body, at(body.length)));
      expectRefused(await decryptToEnd(tampered, [alice.unlocked]), 'invalid_input', /damaged|tampered/);
    });

    it('rejects a file with reordered chunks', async () => {
      const swapped = await rewriteBody(seipdv2, (body) =>
        concat(chunk(body, 1), chunk(body, 0), body.subarray(2 * (CHUNK + TAG))),
      );
      expectRefused(await decryptToEnd(swapped, [alice.unlocked]), 'invalid_input', /damaged|tampered/);
    });

    it('SEIPDv1, a bit flipped in the middle: nothing at all is released', async () => {
      const result = await decryptToEnd(flip(seipdv1, Math.floor(seipdv1.length / 2)), [gnupgUnlocked]);
      expectRefused(result, 'invalid_input', /tampered/);
      expect(result.output.length).toBe(0);
    });

    it('a bit flipped in the encrypted session key', async () => {
      const subkey = Buffer.from(alice.summary.subkeys[0]!.fingerprint, 'hex');
      const at = Buffer.from(seipdv2).indexOf(subkey) + subkey.length + 10; // inside the ECDH ephemeral point
      expectRefused(await decryptToEnd(flip(seipdv2, at), [alice.unlocked]), 'invalid_input', /damaged/);
    });

    it('a bit flipped in the recipient fingerprint: not for this key', async () => {
      const subkey = Buffer.from(alice.summary.subkeys[0]!.fingerprint, 'hex');
      const at = Buffer.from(seipdv2).indexOf(subkey) + 19;
      expectRefused(
        await decryptToEnd(flip(seipdv2, at), [alice.unlocked]),
        'forbidden',
        /not encrypted for any of your keys/,
      );
    });
  });

  it('refuses a file for someone else, saying whom it is for', async () => {
    const result = await decryptToEnd(seipdv1, [alice.unlocked]);
    expectRefused(result, 'forbidden', /not encrypted for any of your keys \(it is for E38040FF2E13396E\)/);
  });

  it('refuses a message without integrity protection (SED, RFC 9580 §5.7)', async () => {
    const message = await openpgp.readMessage({ binaryMessage: seipdv2 });
    const pkesk = new openpgp.PacketList();
    pkesk.push(message.packets[0]!);
    const sed = concat(pkesk.write(), new Uint8Array([0xc9, 100]), randomBytes(100));
    expect((await inspectMessage(sed)).encryption).toBe('unprotected');
    expectRefused(await decryptToEnd(sed, [alice.unlocked]), 'invalid_input', /without an integrity check/);
  });

  it('refuses AEAD chunks larger than RFC 9580 allows', async () => {
    const message = await openpgp.readMessage({ binaryMessage: seipdv2 });
    (message.packets[1] as unknown as { chunkSizeByte: number }).chunkSizeByte = 17;
    const huge = await toBytes(message.write());
    expectRefused(await decryptToEnd(huge, [alice.unlocked]), 'invalid_input', /beyond RFC 9580's limit/);
  });

  it.each<[string, () => Promise<Uint8Array | string>, RegExp]>([
    ['an empty file', () => Promise.resolve(new Uint8Array()), /empty/],
    ['plain text', () => Promise.resolve('hello, world'), /not an OpenPGP encrypted file/],
    [
      'a key instead of a message',
      () => Promise.resolve(alice.publicKeyArmored),
      /not an OpenPGP encrypted file/,
    ],
    [
      'a message that is not encrypted',
      async () => toBytes((await openpgp.createMessage({ binary: new Uint8Array([1]) })).write()),
      /not encrypted/,
    ],
  ])('refuses %s', async (_, input, message) => {
    expectRefused(await decryptToEnd(await input(), [alice.unlocked]), 'invalid_input', message);
  });

  it('refuses a locked key and an empty key list', async () => {
    const locked = alice.privateKeyArmored as UnlockedKey;
    expectRefused(await decryptToEnd(seipdv2, [locked]), 'invalid_input', /locked; unlock it first/);
    expectRefused(await decryptToEnd(seipdv2, []), 'invalid_input', /No private key/);
  });
});
