import { inspectMessage, type KeyInput, type MessageInfo } from '../shared/openpgp';
import { keysById } from './decrypt';
import { toWebStream, type ByteInput } from './to-web-stream';

/** A key named in a file, and whose it is when the key is known. */
export interface NamedKey {
  readonly keyId: string;
  readonly fingerprint: string | null;
  readonly userIds: readonly string[];
}

export interface Inspection {
  readonly encryption: MessageInfo['encryption'];
  readonly aead: MessageInfo['aead'];
  /** Who can decrypt it: one entry per key packet (usually an encryption subkey, named after its key). */
  readonly recipients: readonly NamedKey[];
  readonly hiddenRecipients: number;
  readonly passwordProtected: boolean;
  /**
   * Who signed a signed message that is not encrypted. An encrypted file carries its signature inside the
   * encryption: it is not visible here (`signatureHidden`), only after decrypting.
   */
  readonly signers: readonly NamedKey[];
  readonly signatureHidden: boolean;
}

/** Who a file is for (and who signed it, when that is visible), without any private key; reads only its head. */
export async function inspect(
  ciphertext: ByteInput,
  options: { knownKeys?: readonly KeyInput[]; date?: Date } = {},
): Promise<Inspection> {
  const info = await inspectMessage(toWebStream(ciphertext));
  const known = await keysById(options.knownKeys ?? [], options.date ?? new Date());
  const name = (keyId: string, fingerprint: string | null): NamedKey => {
    const key = known.get(keyId);
    return { keyId, fingerprint: key?.fingerprint ?? fingerprint, userIds: key?.userIds ?? [] };
  };
  return {
    encryption: info.encryption,
    aead: info.aead,
    recipients: info.recipients.map((r) => name(r.keyId, r.fingerprint)),
    hiddenRecipients: info.hiddenRecipients,
    passwordProtected: info.passwordProtected,
    signers: info.signers.map((id) => name(id, null)),
    signatureHidden: info.encryption !== null,
  };
}
