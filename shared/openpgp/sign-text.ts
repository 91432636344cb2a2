import { createMessage, readSignature, sign, verify, type Key } from 'openpgp';
import { KeywardError, invalidInput } from '../errors';
import { Fingerprint } from '../identity';
import type { UnlockedKey } from './lock-key';
import { PROFILE_CONFIG, READ_CONFIG } from './profile';
import { parseKey, parsePrivateKey, type KeyInput } from './read-keys';

/** Detached signatures are small; anything this large is not one (an RSA-4096 signature is under 1 KiB armored). */
const MAX_SIGNATURE_CHARS = 8 * 1024;

/**
 * A detached OpenPGP signature (armored, RFC 9580 §5.2, type 0x01: canonical text) over `text`, by the key's signing
 * key at `date`. For statements both sides rebuild from the same fields (shared/legacy): nothing is parsed out of
 * signed text.
 */
export async function signText(options: { key: UnlockedKey; text: string; date: Date }): Promise<string> {
  const key = await parsePrivateKey(options.key);
  try {
    const signature: unknown = await sign({
      message: await createMessage({ text: options.text }),
      signingKeys: key,
      detached: true,
      format: 'armored',
      date: options.date,
      config: PROFILE_CONFIG,
    });
    return signature as string;
  } catch (error) {
    throw new KeywardError('invalid_input', 'This key cannot sign.', {}, { cause: error });
  }
}

/**
 * Checks a detached signature over `text`: exactly one signature, made by `key` (its primary key or a signing subkey
 * it binds), with the key valid (not revoked, not expired) and the signature made no later than `date`. Returns the
 * signer's primary fingerprint and when it signed. Any failure is `forbidden`: the caller cannot tell a forged
 * signature from a wrong key, and need not.
 */
export async function verifyTextSignature(options: {
  text: string;
  signature: string;
  key: KeyInput;
  date: Date;
}): Promise<{ fingerprint: Fingerprint; signedAt: number }> {
  if (options.signature.length > MAX_SIGNATURE_CHARS) throw invalidInput('This signature is too large.');
  const parsed = await parseKey(options.key);
  // A private key given here is used by its public part only.
  const key: Key = parsed.isPrivate() ? parsed.toPublic() : parsed;
  const refused = (cause?: unknown) =>
    new KeywardError('forbidden', 'The signature does not verify with this key.', {}, { cause });
  let signature;
  try {
    signature = await readSignature({ armoredSignature: options.signature, config: READ_CONFIG });
  } catch (cause) {
    throw refused(cause);
  }
  if (signature.packets.length !== 1) throw refused();
  try {
    const result = await verify({
      message: await createMessage({ text: options.text }),
      signature,
      verificationKeys: key,
      expectSigned: true,
      date: options.date,
      config: READ_CONFIG,
    });
    const [checked] = result.signatures;
    if (!checked) throw refused();
    await checked.verified;
    const packet = await checked.signature;
    const created = packet.packets[0]?.created;
    return { fingerprint: Fingerprint.parse(key.getFingerprint()), signedAt: created?.getTime() ?? 0 };
  } catch (cause) {
    throw refused(cause);
  }
}
