import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestKey, NOW, type TestKey } from '../../tests/fixtures/test-keys';
import { isKeywardError } from '../errors';
import { readAllBytes } from './byte-streams';
import { encryptFile } from './encrypt-file';
import { inspectMessage } from './inspect-message';
import { PROFILE_CONFIG } from './profile';

let alice: TestKey;
let bob: TestKey;
beforeAll(async () => {
  alice = await makeTestKey();
  bob = await makeTestKey({ version: 6, name: 'Bob', email: 'bob@example.org' });
});

describe('inspectMessage', () => {
  it('lists the recipients (encryption subkeys), with fingerprints where PKESK v6 carries them', async () => {
    const { ciphertext } = await encryptFile({
      plaintext: new Uint8Array([1]),
      recipients: [alice.publicKeyArmored, bob.publicKeyArmored],
      date: NOW,
    });
    const info = await inspectMessage(ciphertext);
    expect(info).toMatchObject({
      hiddenRecipients: 0,
      passwordProtected: false,
      encryption: 'seipdv2',
      aead: 'gcm',
    });
    expect(info.recipients).toEqual([
      { keyId: alice.summary.subkeys[0]!.keyId, fingerprint: alice.summary.subkeys[0]!.fingerprint },
      { keyId: bob.summary.subkeys[0]!.keyId, fingerprint: bob.summary.subkeys[0]!.fingerprint },
    ]);
  });

  it('notices a password path (SKESK) and reads armored messages', async () => {
    const key = await openpgp.readKey({ armoredKey: alice.publicKeyArmored });
    const message = await openpgp.createMessage({ binary: new Uint8Array([1]) });
    const armored: unknown = await openpgp.encrypt({
      message,
      encryptionKeys: key,
      passwords: 'a password',
      config: { ...PROFILE_CONFIG, s2kType: openpgp.enums.s2k.iterated },
    });
    const info = await inspectMessage(new TextEncoder().encode(armored as string));
    expect(info).toMatchObject({ passwordProtected: true, encryption: 'seipdv2' });
    expect(info.recipients).toHaveLength(1);
  });

  it('reads only the head of a streamed file', async () => {
    const big = new Uint8Array(8 * 1024 * 1024);
    const ciphertext = await readAllBytes(
      (await encryptFile({ plaintext: big, recipients: [alice.publicKeyArmored], date: NOW })).ciphertext,
    );
    let pulled = 0;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= ciphertext.length) return controller.close();
        const piece = ciphertext.subarray(offset, offset + 64 * 1024);
        offset += piece.length;
        pulled += piece.length;
        controller.enqueue(piece);
      },
    });
    expect((await inspectMessage(stream)).encryption).toBe('seipdv2');
    expect(pulled).toBeLessThan(ciphertext.length / 4);
  });

  it('says when a message is not encrypted, and refuses what is not OpenPGP', async () => {
    const literal = await openpgp.createMessage({ binary: new Uint8Array([1]) });
    const written: unknown = literal.write();
    const bytes =
      written instanceof Uint8Array ? written : await readAllBytes(written as ReadableStream<Uint8Array>);
    expect((await inspectMessage(bytes)).encryption).toBeNull();
    const error: unknown = await inspectMessage(new TextEncoder().encode('hello')).catch((e: unknown) => e);
    expect(isKeywardError(error, 'invalid_input')).toBe(true);
  });

  it('tells a file that is no encrypted message (a public key) from a damaged one (cut short)', async () => {
    const key: unknown = await inspectMessage(new TextEncoder().encode(alice.publicKeyArmored)).catch(
      (e: unknown) => e,
    );
    expect(isKeywardError(key, 'invalid_input') && key.details.reason).toBe('not_encrypted');
    const encrypted = await encryptFile({
      plaintext: new Uint8Array(100),
      recipients: [alice.publicKeyArmored],
      date: NOW,
    });
    const whole = await readAllBytes(encrypted.ciphertext);
    const cut: unknown = await inspectMessage(whole.subarray(0, 20)).catch((e: unknown) => e);
    expect(isKeywardError(cut)).toBe(true);
    expect(isKeywardError(cut) && cut.details.reason).toBeUndefined();
  });

  it('names the signers of a signed (not encrypted) message and of a detached signature, not of an encrypted file', async () => {
    const signingKey = await openpgp.readPrivateKey({ armoredKey: alice.unlocked });
    const message = await openpgp.createMessage({ binary: new Uint8Array(1000) });
    const signed = (await openpgp.sign({
      message,
      signingKeys: signingKey,
      format: 'binary',
      date: NOW,
    })) as Uint8Array;
    const detached = (await openpgp.sign({
      message,
      signingKeys: signingKey,
      format: 'binary',
      detached: true,
      date: NOW,
    })) as Uint8Array;
    expect(await inspectMessage(signed)).toMatchObject({ encryption: null, signers: [alice.summary.keyId] });
    expect((await inspectMessage(detached)).signers).toEqual([alice.summary.keyId]);
    const encrypted = await encryptFile({
      plaintext: new Uint8Array(10),
      recipients: [bob.publicKeyArmored],
      signingKey: alice.unlocked,
      date: NOW,
    });
    expect((await inspectMessage(encrypted.ciphertext)).signers).toEqual([]);
  });
});
