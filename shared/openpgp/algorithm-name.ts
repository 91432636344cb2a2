import type { AlgorithmInfo } from 'openpgp';

const CURVES: Record<string, string> = {
  ed25519Legacy: 'Ed25519',
  curve25519Legacy: 'X25519',
  nistP256: 'P-256',
  nistP384: 'P-384',
  nistP521: 'P-521',
  secp256k1: 'secp256k1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};

/**
 * A public-key algorithm as people name it ("Ed25519", "RSA 3072", "ECDSA P-256"). The RFC 9580 §9.1 id goes
 * beside it in summaries: v4 "Ed25519" is EdDSALegacy (22, what GnuPG 2.2 reads) and v6 "Ed25519" is id 27, and
 * likewise ECDH over Curve25519 (18) and X25519 (25).
 */
export function algorithmName(id: number, info: AlgorithmInfo): string {
  const curve = info.curve === undefined ? '' : (CURVES[info.curve] ?? info.curve);
  switch (id) {
    case 1:
    case 2:
    case 3:
      return `RSA ${info.bits ?? '?'}`;
    case 16:
      return `ElGamal ${info.bits ?? '?'}`;
    case 17:
      return `DSA ${info.bits ?? '?'}`;
    case 18:
      return curve === 'X25519' ? 'X25519' : `ECDH ${curve}`;
    case 19:
      return `ECDSA ${curve}`;
    case 22:
      return 'Ed25519';
    case 25:
      return 'X25519';
    case 26:
      return 'X448';
    case 27:
      return 'Ed25519';
    case 28:
      return 'Ed448';
    default:
      return `Unknown algorithm ${id}`;
  }
}
