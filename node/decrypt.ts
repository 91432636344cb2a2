import {
  decryptFile,
  readPublicKeys,
  type DecryptedFile,
  type KeyInput,
  type KeySummary,
  type UnlockedKey,
} from '../shared/openpgp';
import { toWebStream, type ByteInput } from './to-web-stream';

export interface DecryptOptions {
  /** Binary (`.pgp`) or armored (`.asc`). */
  readonly ciphertext: ByteInput;
  /** The private key(s) to decrypt with, unlocked (`readPrivateKey`). */
  readonly keys: UnlockedKey | readonly UnlockedKey[];
  /** Public keys whose signatures count (the client adds every pinned key). */
  readonly verificationKeys?: readonly KeyInput[];
  readonly date?: Date;
}

/** A signature found inside the file, and whose key made it when that key is among the verification keys. */
export interface SignatureReport {
  readonly keyId: string;
  /** Checked with a known key and correct. False for a bad signature or an unknown signer. */
  readonly valid: boolean;
  readonly signer: { readonly fingerprint: string; readonly userIds: readonly string[] } | null;
}

export interface Decrypted {
  /**
   * The plaintext, streamed. SEIPDv2 releases each chunk only after its tag checked; a damaged or cut file errors
   * the stream (possibly after some authentic chunks), so only a stream that closed cleanly is the whole file:
   * write to a temporary place and keep it only then.
   */
  readonly plaintext: ReadableStream<Uint8Array>;
  /** The name stored inside the encryption; untrusted (never use it as a path as it is). */
  readonly filename: string;
  readonly encryption: DecryptedFile['encryption'];
  /** Known once `plaintext` has been read to its end; empty for an unsigned file. */
  readonly signatures: Promise<SignatureReport[]>;
}

/** Decrypts a file with the given keys, streaming. Errors: see shared/openpgp/decrypt-file.ts. */
export async function decrypt(options: DecryptOptions): Promise<Decrypted> {
  const date = options.date ?? new Date();
  const keys: readonly UnlockedKey[] = typeof options.keys === 'string' ? [options.keys] : options.keys;
  const verificationKeys = options.verificationKeys ?? [];
  const decrypted = await decryptFile({
    ciphertext: toWebStream(options.ciphertext),
    keys,
    date,
    verificationKeys,
  });
  return {
    plaintext: decrypted.plaintext,
    // openpgp.js gives null for a file stored without a name.
    filename: decrypted.filename || '',
    encryption: decrypted.encryption,
    signatures: decrypted.signatures.then(async (signatures) => {
      if (signatures.length === 0) return [];
      const byKeyId = await keysById(verificationKeys, date);
      return signatures.map(({ keyId, valid }) => {
        const key = byKeyId.get(keyId);
        return {
          keyId,
          valid: valid && key !== undefined,
          signer: key ? { fingerprint: key.fingerprint, userIds: key.userIds } : null,
        };
      });
    }),
  };
}

/** Every key id (primary and subkeys) of the given keys, to the key it belongs to. */
export async function keysById(keys: readonly KeyInput[], date: Date): Promise<Map<string, KeySummary>> {
  const byId = new Map<string, KeySummary>();
  for (const input of keys) {
    for (const { summary } of await readPublicKeys(input, { date })) {
      byId.set(summary.keyId, summary);
      for (const sub of summary.subkeys) byId.set(sub.keyId, summary);
    }
  }
  return byId;
}
