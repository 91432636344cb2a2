import { enums, type PartialConfig } from 'openpgp';
import { invalidInput } from '../errors';
import { lockWith, unlockKey } from './lock-key';
import { PROFILE_CONFIG } from './profile';
import { parsePrivateKey, type KeyInput } from './read-keys';

/**
 * GnuPG 2.2 knows neither Argon2 S2K nor AEAD-protected secret keys (S2K usage 253, RFC 9580 §3.7.2.1), so the
 * export uses the older form every implementation reads: iterated+salted S2K (§3.7.1.3) with AES-256 in CFB mode
 * and a SHA-1 check (usage 254). The count octet 255 hashes 65,011,712 bytes per guess, the most the format allows;
 * GnuPG re-protects the key with its own agent settings on import anyway.
 */
const GNUPG_EXPORT_CONFIG: PartialConfig = Object.freeze({
  ...PROFILE_CONFIG,
  aeadProtect: false,
  s2kType: enums.s2k.iterated,
  s2kIterationCountByte: 255,
});

/**
 * A private key GnuPG can import (`gpg --import`), locked with the same passphrase. Only v4 keys: GnuPG 2.2 and
 * 2.4 cannot read v6 keys at all.
 */
export async function exportForGnuPG(lockedArmored: KeyInput, passphrase: string): Promise<string> {
  const key = await parsePrivateKey(lockedArmored);
  if (key.keyPacket.version !== 4) {
    throw invalidInput('GnuPG 2.2 and 2.4 cannot read v6 keys; only v4 keys can be exported for GnuPG.');
  }
  return lockWith(await unlockKey(lockedArmored, passphrase), passphrase, GNUPG_EXPORT_CONFIG);
}
