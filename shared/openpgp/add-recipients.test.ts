import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_PASSPHRASE,
  makeTestKey,
  NOW,
  readFixture,
  type TestKey,
} from '../../tests/fixtures/test-keys';
import { piecewise } from '../../tests/fixtures/piecewise-stream';
import { isKeywardError } from '../errors';
import { addRecipients } from './add-recipients';
import { readAllBytes } from './byte-streams';
import { decryptFile } from './decrypt-file';
import { encryptFile } from './encrypt-file';
import { inspectMessage } from './inspect-message';
import { unlockKey, type UnlockedKey } from './lock-key';
import { AEAD_CHUNK_SIZE_BYTE } from './profile';

let alice: TestKey;
let bob: TestKey; // v6
let carol: TestKey;
let gnupgEd25519: UnlockedKey;
let gnupgRsa: UnlockedKey;
beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    makeTestKey(),
    makeTestKey({ version: 6, name: 'Bob', email: 'bob@example.org' }),
    makeTestKey({ name: 'Carol', email: 'carol@example.org' }),
  ]);
  gnupgEd25519 = await unlockKey(readFixture('gnupg-ed25519.sec'), FIXTURE_PASSPHRASE);
  gnupgRsa = await unlockKey(readFixture('gnupg-rsa3072.sec'), FIXTURE_PASSPHRASE);
});

const PLAINTEXT = randomBytes(2 * 2 ** (AEAD_CHUNK_SIZE_BYTE + 6) + 777);

/** SEIPDv1 is decrypted in JavaScript CFB, read whole: its test uses a smaller file. */
const SMALL_PLAINTEXT = randomBytes(64 * 1024 + 5);

async function encryptedFor(recipients: string[], plaintext: Uint8Array = PLAINTEXT): Promise<Uint8Array> {
  const encrypted = await encryptFile({ plaintext, recipients, date: NOW, filename: 'plan.pdf' });
  return readAllBytes(encrypted.ciphertext);
}

async function opens(ciphertext: Uint8Array, key: UnlockedKey): Promise<Buffer> {
  const decrypted = await decryptFile({ ciphertext: piecewise(ciphertext), keys: [key], date: NOW });
  return Buffer.from(await readAllBytes(decrypted.plaintext));
}

/** How many leading bytes two files share. */
function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

describe('addRecipients (share later)', () => {
  it('a file for Alice, shared with Bob, opens for Bob and still for Alice; its body bytes are unchanged', async () => {
    const original = await encryptedFor([alice.publicKeyArmored]);
    const shared = await addRecipients({
      ciphertext: piecewise(original, 97), // small pieces: the key packets arrive split
      keys: [alice.unlocked],
      recipients: [bob.publicKeyArmored],
      date: NOW,
    });
    const result = await readAllBytes(shared.ciphertext);
    expect(shared.added).toEqual([bob.summary.fingerprint]);
    expect(await opens(result, bob.unlocked)).toEqual(PLAINTEXT);
    expect(await opens(result, alice.unlocked)).toEqual(PLAINTEXT);
    // The new file is the original's key packets, one more key packet, then the original's data packet as it was.
    const growth = result.length - original.length;
    expect(growth).toBeGreaterThan(0);
    expect(growth).toBeLessThan(300); // one key packet
    const keyPackets = commonPrefix(original, result);
    expect(original[keyPackets]).toBe(0xd2); // the encrypted data packet (tag 18) starts here
    expect(
      Buffer.from(result.subarray(keyPackets + growth)).equals(Buffer.from(original.subarray(keyPackets))),
    ).toBe(true);
    const info = await inspectMessage(original);
    expect((await inspectMessage(result)).recipients.length).toBe(info.recipients.length + 1);
  });

  it('works for SEIPDv1 files (GnuPG-made keys), adding several people at once', async () => {
    const original = await encryptedFor([readFixture('gnupg-ed25519.pub')], SMALL_PLAINTEXT);
    expect((await inspectMessage(original)).encryption).toBe('seipdv1');
    const shared = await addRecipients({
      ciphertext: original,
      keys: [gnupgEd25519],
      recipients: [readFixture('gnupg-rsa3072.pub'), carol.publicKeyArmored],
      date: NOW,
    });
    const result = await readAllBytes(shared.ciphertext);
    expect(shared.added).toHaveLength(2);
    expect(await opens(result, gnupgRsa)).toEqual(SMALL_PLAINTEXT);
    expect(await opens(result, carol.unlocked)).toEqual(SMALL_PLAINTEXT);
    expect(await opens(result, gnupgEd25519)).toEqual(SMALL_PLAINTEXT);
  });

  it('leaves out people who can read the file already, and then changes nothing', async () => {
    const original = await encryptedFor([alice.publicKeyArmored, bob.publicKeyArmored]);
    const shared = await addRecipients({
      ciphertext: original,
      keys: [alice.unlocked],
      recipients: [bob.publicKeyArmored, alice.publicKeyArmored],
      date: NOW,
    });
    expect(shared.added).toEqual([]);
    expect(Buffer.from(await readAllBytes(shared.ciphertext)).equals(Buffer.from(original))).toBe(true);
  });

  it("refuses to share a file that is not for the user's keys (it cannot, and says so)", async () => {
    const original = await encryptedFor([bob.publicKeyArmored]);
    const error: unknown = await addRecipients({
      ciphertext: original,
      keys: [alice.unlocked],
      recipients: [carol.publicKeyArmored],
      date: NOW,
    }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'forbidden')).toBe(true);
  });

  it.each([
    ['not OpenPGP', () => new TextEncoder().encode('hello, this is a text file')],
    [
      'cut short inside the key packets',
      async () => (await encryptedFor([alice.publicKeyArmored])).subarray(0, 40),
    ],
  ])('refuses a file that is %s with a clear error', async (_what, make) => {
    const error: unknown = await addRecipients({
      ciphertext: await make(),
      keys: [alice.unlocked],
      recipients: [bob.publicKeyArmored],
      date: NOW,
    }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
  });

  it('refuses a recipient key that cannot receive encryption (revoked)', async () => {
    const original = await encryptedFor([alice.publicKeyArmored]);
    const error: unknown = await addRecipients({
      ciphertext: original,
      keys: [alice.unlocked],
      recipients: [readFixture('gnupg-revoked.pub')],
      date: NOW,
    }).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
  });
});
