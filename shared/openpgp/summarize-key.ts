import type { Config, Key, SignaturePacket, Subkey } from 'openpgp';
import { Email, Fingerprint, KeyId } from '../identity';
import { invalidInput } from '../errors';
import { algorithmName } from './algorithm-name';
import { fullConfig, READ_CONFIG } from './profile';
import { parseKey, parseKeys, type KeyInput } from './read-keys';

/** One subkey as plain data; dates are epoch milliseconds. */
export interface SubkeySummary {
  fingerprint: Fingerprint;
  keyId: KeyId;
  /** Human name, e.g. "X25519", "RSA 3072". */
  algorithm: string;
  /** RFC 9580 §9.1 public-key algorithm id, which tells v4 legacy Curve25519 (18, 22) from RFC 9580's (25, 27). */
  algorithmId: number;
  created: number;
  /** null: never expires (or no valid binding signature says when). */
  expires: number | null;
  revoked: boolean;
  expired: boolean;
  /** Usable for encryption at the given date, the primary key's validity included. */
  canEncrypt: boolean;
  canSign: boolean;
}

/** A key (certificate) as plain data, evaluated at one date: what crosses messages, HTTP and storage. */
export interface KeySummary {
  fingerprint: Fingerprint;
  keyId: KeyId;
  version: 4 | 6;
  algorithm: string;
  algorithmId: number;
  /** Only user ids with a valid, unrevoked self-certification at the date: anyone can append an unsigned one. */
  userIds: string[];
  /** The addresses in `userIds`, normalised and without duplicates. */
  emails: Email[];
  created: number;
  expires: number | null;
  revoked: boolean;
  expired: boolean;
  /** Some valid key of this certificate can encrypt at the date. */
  canEncrypt: boolean;
  canSign: boolean;
  /** Advertises SEIPDv2 (RFC 9580 §5.2.3.32), so senders may use AEAD; GnuPG-made keys do not. */
  supportsSeipdv2: boolean;
  isPrivate: boolean;
  /** Private key whose secret material is all passphrase-protected; false for public keys. */
  isLocked: boolean;
  subkeys: SubkeySummary[];
}

/** RFC 9580 §5.2.3.32 Features: 0x08 = Version 2 SEIPD packet supported. */
const FEATURE_SEIPDV2 = 0x08;

/** Summarizes exactly one key, armored or binary, public or private. Malformed input: `invalid_input`. */
export async function summarizeKey(input: KeyInput, options: { date: Date }): Promise<KeySummary> {
  return summarizeParsedKey(await parseKey(input), options.date);
}

/** Summarizes every key in a keyring-style input (several keys concatenated). */
export async function summarizeKeys(input: KeyInput, options: { date: Date }): Promise<KeySummary[]> {
  const keys = await parseKeys(input);
  return Promise.all(keys.map((key) => summarizeParsedKey(key, options.date)));
}

/** Internal: for code in shared/openpgp that already holds a parsed key. */
export async function summarizeParsedKey(key: Key, date: Date): Promise<KeySummary> {
  const config = fullConfig(READ_CONFIG);
  const version = key.keyPacket.version;
  if (version !== 4 && version !== 6) throw invalidInput(`OpenPGP v${version} keys are not supported.`);

  const userIds: string[] = [];
  for (const user of key.users) {
    if (user.userID && (await succeeds(user.verify(date, config)))) userIds.push(user.userID.userID);
  }
  const emails = [
    ...new Set(userIds.map((id) => Email.fromUserId(id)).filter((e): e is Email => e !== null)),
  ];
  const expires = toEpoch(await key.getExpirationTime(undefined, config));

  return {
    fingerprint: Fingerprint.parse(key.getFingerprint()),
    keyId: KeyId.parse(key.getKeyID().toHex()),
    version,
    algorithm: algorithmName(key.keyPacket.algorithm, key.getAlgorithmInfo()),
    algorithmId: key.keyPacket.algorithm,
    userIds,
    emails,
    created: key.getCreationTime().getTime(),
    expires,
    revoked: await key.isRevoked(undefined, undefined, date, config),
    expired: expires !== null && expires <= date.getTime(),
    canEncrypt: await succeeds(key.getEncryptionKey(undefined, date, undefined, config)),
    canSign: await succeeds(key.getSigningKey(undefined, date, undefined, config)),
    supportsSeipdv2: await advertisesSeipdv2(key, date, config),
    isPrivate: key.isPrivate(),
    isLocked: key.isPrivate() && key.getKeys().every(({ keyPacket }) => isLockedPacket(keyPacket)),
    subkeys: await Promise.all(key.subkeys.map((subkey) => summarizeSubkey(key, subkey, date, config))),
  };
}

async function summarizeSubkey(key: Key, subkey: Subkey, date: Date, config: Config): Promise<SubkeySummary> {
  const expires = toEpoch(await subkey.getExpirationTime(date, config));
  const keyId = subkey.getKeyID();
  return {
    fingerprint: Fingerprint.parse(subkey.getFingerprint()),
    keyId: KeyId.parse(keyId.toHex()),
    algorithm: algorithmName(subkey.keyPacket.algorithm, subkey.getAlgorithmInfo()),
    algorithmId: subkey.keyPacket.algorithm,
    created: subkey.getCreationTime().getTime(),
    expires,
    // The typings demand a signature; with none, openpgp.js checks for any valid revocation of the subkey.
    revoked: await (subkey as unknown as AnyRevocation).isRevoked(null, null, date, config),
    expired: expires !== null && expires <= date.getTime(),
    canEncrypt: await succeeds(
      key.getEncryptionKey(keyId, date, undefined, config).then((k) => k === subkey),
    ),
    canSign: await succeeds(key.getSigningKey(keyId, date, undefined, config).then((k) => k === subkey)),
  };
}

interface AnyRevocation {
  isRevoked(signature: null, key: null, date: Date, config: Config): Promise<boolean>;
}

/** For v4 keys the preferences sit on the primary user's self-signature, for v6 on the direct-key signature. */
async function advertisesSeipdv2(key: Key, date: Date, config: Config): Promise<boolean> {
  const selfSignature = await (key as unknown as PrimarySelfSignature)
    .getPrimarySelfSignature(date, undefined, config)
    .catch(() => null);
  return ((selfSignature?.features?.[0] ?? 0) & FEATURE_SEIPDV2) !== 0;
}

interface PrimarySelfSignature {
  getPrimarySelfSignature(date: Date, userId: undefined, config: Config): Promise<SignaturePacket>;
}

function isLockedPacket(packet: { isDecrypted(): boolean | null }): boolean {
  const secret = packet as { isDummy?: () => boolean; isDecrypted(): boolean | null };
  return (secret.isDummy?.() ?? false) || secret.isDecrypted() === false;
}

function toEpoch(date: Date | number | null): number | null {
  return date instanceof Date ? date.getTime() : null;
}

async function succeeds(promise: Promise<unknown>): Promise<boolean> {
  try {
    return (await promise) !== false;
  } catch {
    return false;
  }
}
