import {
  createMessage,
  decrypt,
  decryptSessionKeys,
  encrypt,
  encryptSessionKey,
  enums,
  Message,
  PacketList,
  armor,
  readMessage,
  unarmor,
  readPrivateKey,
  type AnyPacket,
} from 'openpgp';
import { KeywardError, invalidInput } from '../errors';
import type { UnlockedKey } from '../openpgp';
import { readAllBytes, toByteStream } from '../openpgp/byte-streams';
import { fullConfig, MAX_ARGON2_MEMORY_EXPONENT, READ_CONFIG } from '../openpgp/profile';
import { affordableArgon2, type S2KView } from '../openpgp/s2k-cost';

/**
 * The escrow (docs/escrow.md, "How it works"): a standard OpenPGP message (RFC 9580 SEIPDv2, AES-256 GCM) whose
 * literal body is the user's whole private key, unprotected inside the message, with exactly two symmetric key
 * packets (SKESK v6): first the passphrase packet (password: secrets.ts passphraseSecret), then the recovery packet
 * (password: the 12-word recovery code). Any RFC 9580 implementation opens it with the words alone.
 */
const ESCROW_CONFIG = fullConfig({
  ...READ_CONFIG,
  aeadProtect: true,
  preferredAEADAlgorithm: enums.aead.gcm,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
  // Both passwords carry 128 bits or more: iterated-and-salted S2K (RFC 9580 §3.7.1.3) is enough, and cheap.
  s2kType: enums.s2k.iterated,
  s2kIterationCountByte: 96,
  // Anything a server supplied is opened with a bounded Argon2 cost (a server could otherwise make a client run any
  // cost: profiles.ts); see also checkShape.
  maxArgon2MemoryExponent: MAX_ARGON2_MEMORY_EXPONENT,
});

/** Escrow messages are small; anything larger is not ours. */
const MAX_ESCROW_CHARS = 64 * 1024;

export async function makeEscrow(options: {
  key: UnlockedKey;
  passphraseSecret: string;
  recoveryPhrase: string;
  date: Date;
}): Promise<string> {
  const key = await readPrivateKey({ armoredKey: options.key, config: ESCROW_CONFIG });
  if (!key.isDecrypted()) throw invalidInput('Only an unlocked key can be escrowed.');
  // openpgp.js's encrypt/decrypt typings do not resolve under typed lint (see shared/openpgp); the shapes are known.
  const armored: unknown = await encrypt({
    message: await createMessage({ binary: key.write(), format: 'binary', date: options.date }),
    passwords: [options.passphraseSecret, options.recoveryPhrase],
    format: 'armored',
    date: options.date,
    config: ESCROW_CONFIG,
  });
  return armored as string;
}

async function readEscrow(armored: string): Promise<Message<Uint8Array>> {
  if (armored.length > MAX_ESCROW_CHARS)
    throw invalidInput('This escrow is too large to be one of Keyward’s.');
  let message: Message<Uint8Array>;
  try {
    // Read from bytes, not armor: packets read from armor are streams, which cannot be written out again.
    const unarmored: unknown = await unarmor(armored, ESCROW_CONFIG);
    const data = (unarmored as { data: Uint8Array | ReadableStream<Uint8Array> }).data;
    const bytes = await readAllBytes(toByteStream(data));
    message = await readMessage({ binaryMessage: bytes, config: ESCROW_CONFIG });
  } catch (cause) {
    throw new KeywardError('invalid_input', 'The escrow the keyserver sent is damaged.', {}, { cause });
  }
  checkShape(message);
  return message;
}

/**
 * Before any password is tried: the escrow must be Keyward's shape, two key packets and then SEIPDv2 data, and its
 * key packets must not ask for more key stretching than a device allows. openpgp.js tries a password on every key
 * packet, so a hostile keyserver could otherwise send dozens of them, each naming costly Argon2 parameters, and
 * stall the device (or reserve its memory) on every restore.
 */
function checkShape(message: Message<Uint8Array>): void {
  const packets = [...message.packets];
  const tag = (p: unknown) => (p as { constructor?: { tag?: number } }).constructor?.tag;
  const skesk = enums.packet.symEncryptedSessionKey;
  const data = packets[2] as { version?: number } | undefined;
  if (
    packets.length !== 3 ||
    tag(packets[0]) !== skesk ||
    tag(packets[1]) !== skesk ||
    tag(data) !== enums.packet.symEncryptedIntegrityProtectedData ||
    data?.version !== 2
  ) {
    throw invalidInput('This is not a Keyward escrow (two key packets, then SEIPDv2 data).');
  }
  const s2ks = packets.slice(0, 2).map((packet) => (packet as { s2k?: S2KView | null }).s2k);
  if (!s2ks.every((s2k) => s2k?.type === 'iterated' || s2k?.type === 'argon2')) {
    throw invalidInput('This escrow’s key packets ask for key stretching Keyward does not allow.');
  }
  if (!affordableArgon2(s2ks)) {
    throw invalidInput('This escrow’s key packets ask for more key stretching than a device can afford.');
  }
}

/** The private key in an escrow, unlocked, opened with either password. Wrong password: `forbidden`. */
export async function openEscrow(armored: string, password: string): Promise<UnlockedKey> {
  const message = await readEscrow(armored);
  let data: Uint8Array;
  try {
    const result: unknown = await decrypt({
      message,
      passwords: [password],
      format: 'binary',
      config: ESCROW_CONFIG,
    });
    data = (result as { data: Uint8Array }).data;
  } catch (cause) {
    throw new KeywardError(
      'forbidden',
      'This escrow does not open with that passphrase or recovery code.',
      {},
      { cause },
    );
  }
  const key = await readPrivateKey({ binaryKey: data, config: ESCROW_CONFIG });
  if (!key.isDecrypted()) throw invalidInput('The escrow holds a locked key.');
  return key.armor(ESCROW_CONFIG) as UnlockedKey;
}

/**
 * The same escrow with a new passphrase packet (after a passphrase change): the session key is opened with
 * `current` (either password), encrypted to `next`, and written first; the recovery packet and the encrypted body
 * stay byte for byte, so the recovery code keeps working and the old passphrase secret stops.
 */
export async function replacePassphrasePacket(
  armored: string,
  current: string,
  next: string,
): Promise<string> {
  const message = await readEscrow(armored); // Keyward's shape: two key packets, then SEIPDv2 data
  const packets = message.packets;
  let sessionKey;
  try {
    [sessionKey] = await decryptSessionKeys({ message, passwords: [current], config: ESCROW_CONFIG });
  } catch (cause) {
    throw new KeywardError('forbidden', 'The current passphrase does not open this escrow.', {}, { cause });
  }
  if (!sessionKey) throw new KeywardError('forbidden', 'The current passphrase does not open this escrow.');
  // SKESK v6 does not name the cipher: the SEIPDv2 packet's header does (RFC 9580 §5.13.2).
  const data = packets[2] as unknown as { version: number; cipherAlgorithm: number; aeadAlgorithm: number };
  if (data.version !== 2)
    throw invalidInput('This is not a Keyward escrow (its data packet is not SEIPDv2).');
  const replacement = await encryptSessionKey({
    data: sessionKey.data,
    algorithm: enums.read(enums.symmetric, data.cipherAlgorithm),
    aeadAlgorithm: (enums.read as (type: object, value: number) => string)(
      enums.aead,
      data.aeadAlgorithm,
    ) as enums.aeadNames,
    passwords: [next],
    format: 'object',
    config: ESCROW_CONFIG,
  });
  const list = new PacketList<AnyPacket>();
  list.push(replacement.packets[0]!, packets[1]!, packets[2]!);
  // openpgp.js writes packets it read as streams; gathered, they are armored like any message.
  const written = new Message(list).write() as Uint8Array | ReadableStream<Uint8Array>;
  const bytes = await readAllBytes(toByteStream(written));
  return armor(enums.armor.message, bytes, undefined, undefined, undefined, false, ESCROW_CONFIG);
}
