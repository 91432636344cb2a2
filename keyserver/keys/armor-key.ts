import { armor, enums } from 'openpgp';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { keyReadConfig } from './key-read-config';
import { scanPackets } from './scan-packets';

/**
 * ASCII armor for a binary public key (VKS, HKP `op=get`). No CRC-24 line for v6 keys: RFC 9580 (section 6) forbids it
 * there, while GnuPG 2.2 still expects it on v4 keys.
 */
export function armorKey(packets: Uint8Array): string {
  const version = scanPackets(packets)[0]?.body[0];
  return armor(
    enums.armor.publicKey,
    packets,
    undefined,
    undefined,
    undefined,
    version !== 6,
    keyReadConfig(DEFAULT_KEY_LIMITS),
  );
}
