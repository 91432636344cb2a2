import { config as openpgpDefaults, type Config } from 'openpgp';
import type { KeyLimits } from './key-limits';

/**
 * The openpgp.js configuration for reading keys from outside. A full `Config` rather than a partial one because
 * the packet-level calls used here (`PacketList.fromBinary`, `SignaturePacket#verify`) read it directly; nothing
 * touches the global `openpgp.config`.
 */
export function keyReadConfig(limits: KeyLimits): Config {
  return {
    ...openpgpDefaults,
    // Public keys carry no S2K, but a secret key slipped into an upload must not make Argon2 allocate 2^30 KiB.
    maxArgon2MemoryExponent: 16,
    // Each packet is parsed on its own; an unreadable one is dropped by the caller, never silently skipped here.
    ignoreUnsupportedPackets: false,
    ignoreMalformedPackets: false,
    // v5 (LibrePGP) keys are refused before parsing; keep the parser from accepting them if one slips through.
    enableParsingV5Entities: false,
    // Backstop only: longer user IDs are dropped before openpgp.js sees them (its own cap is 5 KiB).
    maxUserIDLength: limits.maxUserIdBytes,
    additionalAllowedPackets: [],
    showVersion: false,
    showComment: false,
  };
}
