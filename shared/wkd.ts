import { sha1 } from '@noble/hashes/legacy.js';

/**
 * The Web Key Directory hash of a local part (draft-koch-openpgp-webkey-service §3.1): map ASCII upper-case
 * letters to lower case (and nothing else), SHA-1, z-base-32. SHA-1 here is a naming scheme, not a security
 * property: the served key is still checked for a user id with the requested address.
 */
export function wkdHash(localPart: string): string {
  const lowered = localPart.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return zBase32(sha1(new TextEncoder().encode(lowered)));
}

const Z_BASE_32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/** z-base-32 (RFC 6189 §5.1.6 alphabet), most significant bit first, no padding. */
export function zBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += Z_BASE_32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += Z_BASE_32[(buffer << (5 - bits)) & 31];
  return out;
}

/** The two WKD URL paths for an address (§3.1): advanced (on openpgpkey.<domain>) and direct. */
export function wkdUrls(address: string): { advanced: string; direct: string } {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const hash = wkdHash(local);
  const l = encodeURIComponent(local);
  return {
    advanced: `https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hash}?l=${l}`,
    direct: `https://${domain}/.well-known/openpgpkey/hu/${hash}?l=${l}`,
  };
}
