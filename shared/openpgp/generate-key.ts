import { generateKey as openpgpGenerateKey, type KeyOptions } from 'openpgp';
import { Email } from '../identity';
import { invalidInput, KeywardError } from '../errors';
import { profileWithArgon2, type Argon2Params } from './profile';
import { parseKey } from './read-keys';
import { summarizeParsedKey, type KeySummary } from './summarize-key';

export interface GenerateKeyOptions {
  /** Display name; may be empty, then the user id is the bare address. */
  name: string;
  email: string;
  /** Locks the private key (Argon2id S2K). Required: private keys never exist unlocked at rest. */
  passphrase: string;
  /**
   * 4 (default): EdDSALegacy Ed25519 primary + ECDH Curve25519 subkey, which GnuPG 2.2/2.4, Thunderbird, Mailvelope
   * and Sequoia read; GnuPG 2.2 does not know RFC 9580's Ed25519/X25519 (ids 27/25). 6: RFC 9580 v6 key with
   * Ed25519 + X25519, for RFC 9580 peers only.
   */
  version?: 4 | 6;
  /** Creation time of the key and its signatures. */
  date: Date;
  /** Optional expiry; without it the key does not expire (renewal is a product decision, not made here). */
  expiresAt?: Date;
  /** Tests only: a cheaper Argon2 cost. Production code leaves the profile's default. */
  argon2?: Argon2Params;
}

export interface GeneratedKey {
  /** Locked with Argon2id S2K and AEAD (RFC 9580 §3.7.2.1, usage 253). */
  privateKeyArmored: string;
  publicKeyArmored: string;
  /** Revokes the key if it is lost or compromised; store it apart from the private key. */
  revocationCertificate: string;
  summary: KeySummary;
}

/** The algorithms of a new key of each version (see GenerateKeyOptions.version). */
export function keyAlgorithms(version: 4 | 6): Pick<KeyOptions, 'type' | 'curve'> {
  return version === 6 ? { type: 'curve25519' } : { type: 'ecc', curve: 'ed25519Legacy' };
}

/**
 * A new key in Keyward's profile. Both versions advertise SEIPDv2 (Features, RFC 9580 §5.2.3.32) with
 * AES-256-GCM first in the Preferred AEAD Ciphersuites (subpacket 39), so Keyward peers encrypt with AEAD while GnuPG,
 * which ignores that bit, still uses SEIPDv1 (§5.13.1).
 */
export async function generateKey(options: GenerateKeyOptions): Promise<GeneratedKey> {
  const { passphrase, date, expiresAt, version = 4 } = options;
  const email = Email.parse(options.email);
  const name = checkName(options.name);
  if (passphrase.length === 0) throw invalidInput('A passphrase is required to protect the new private key.');
  let keyExpirationTime = 0;
  if (expiresAt !== undefined) {
    keyExpirationTime = Math.floor((expiresAt.getTime() - date.getTime()) / 1000);
    if (keyExpirationTime <= 0) throw invalidInput('The expiry date must be after the creation date.');
  }
  const config = { ...profileWithArgon2(options.argon2), v6Keys: version === 6 };
  const algorithms = keyAlgorithms(version);
  let generated: { privateKey: string; publicKey: string; revocationCertificate: string };
  try {
    generated = await openpgpGenerateKey({
      userIDs: [name ? { name, email } : { email }],
      passphrase,
      ...algorithms,
      keyExpirationTime,
      date,
      format: 'armored',
      config,
    });
  } catch (error) {
    throw new KeywardError('invalid_input', 'The key could not be generated.', {}, { cause: error });
  }
  return {
    privateKeyArmored: generated.privateKey,
    publicKeyArmored: generated.publicKey,
    revocationCertificate: generated.revocationCertificate,
    summary: await summarizeParsedKey(await parseKey(generated.publicKey), date),
  };
}

/** `<`, `>` and control characters would let a name forge or break the `Name <address>` user id (RFC 9580 §5.11). */
function checkName(input: string): string {
  const name = input.trim().normalize('NFC');
  if (name.length > 100) throw invalidInput('A name has at most 100 characters.');
  // eslint-disable-next-line no-control-regex
  if (/[<>\u0000-\u001f\u007f]/.test(name)) {
    throw invalidInput('A name cannot contain "<", ">" or control characters.');
  }
  return name;
}
