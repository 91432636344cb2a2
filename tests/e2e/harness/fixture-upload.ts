import { decrypt, decryptKey, readKey, readMessage, readPrivateKey } from 'openpgp';
import { expect } from 'vitest';
import { FIXTURE_PASSPHRASE, readFixture } from '../../fixtures/test-keys';
import { fileParts } from './multipart';
import type { RecordedUpload } from './static-server';

/**
 * Checks an upload a site received from a profile holding the gnupg-ed25519 fixture key: the file part is
 * `<name>.pgp`, the plaintext appears nowhere in the request, and the part decrypts with that key to `plaintext`,
 * signed by that key (the signature was hashed in the browser: extension/platform/openpgp-hashes.ts).
 */
export async function expectFixtureCiphertext(upload: RecordedUpload, name: string, plaintext: Buffer) {
  const [part] = fileParts(upload.body, upload.headers['content-type']);
  expect(part?.filename).toBe(`${name}.pgp`);
  expect(upload.body.includes(plaintext)).toBe(false);
  const key = await decryptKey({
    privateKey: await readPrivateKey({ armoredKey: readFixture('gnupg-ed25519.sec') }),
    passphrase: FIXTURE_PASSPHRASE,
  });
  // openpgp.js's decrypt typings do not resolve under typed lint (see shared/openpgp); the shape is known.
  const result: unknown = await decrypt({
    message: await readMessage({ binaryMessage: new Uint8Array(part!.data) }),
    decryptionKeys: key,
    verificationKeys: await readKey({ armoredKey: readFixture('gnupg-ed25519.pub') }),
    expectSigned: true, // throws unless a signature by that key verifies
    format: 'binary',
  });
  expect(Buffer.from((result as { data: Uint8Array }).data)).toEqual(plaintext);
}
