import { invalidInput, KeywardError } from '../../shared/errors';
import type { KeyLimits } from './key-limits';
import { keyRefusals } from './key-refusals';
import type { RawPacket } from './scan-packets';

/** Packet tags, RFC 9580 §5. */
const TAG = {
  signature: 2,
  secretKey: 5,
  publicKey: 6,
  secretSubkey: 7,
  marker: 10,
  trust: 12,
  userId: 13,
  publicSubkey: 14,
  userAttribute: 17,
  padding: 21,
} as const;

/** Packets that carry no meaning in a key and are dropped without a word (§5.8, §5.10, §5.14). */
const IGNORED = new Set<number>([TAG.marker, TAG.trust, TAG.padding]);
/** PKESK, SKESK, one-pass signature, compressed, SED, literal, SEIPD, OCB-encrypted: someone sent a message. */
const MESSAGE_TAGS = new Set([1, 3, 4, 8, 9, 11, 18, 20]);

/**
 * Packets read from one upload. Each costs a parse (junk ones an exception, ~5-12 µs): 1 MiB of 6-byte packets would
 * be 175,000 of them and seconds of CPU. A real key, even with a few thousand third-party certifications, has far
 * fewer; the flooded-certifications fixture has 2,004.
 */
export const MAX_PACKETS_PER_UPLOAD = 20_000;

/** A user ID or subkey with the signatures that followed it. */
export interface RawComponent {
  readonly packet: RawPacket;
  readonly signatures: RawPacket[];
}

/** One transferable public key (§10.1) cut out of an upload, before any signature is looked at. */
export interface RawCertificate {
  readonly primary: RawPacket;
  readonly version: 4 | 6;
  /** Signatures directly on the primary key: direct-key signatures and key revocations. */
  readonly signatures: RawPacket[];
  readonly userIds: RawComponent[];
  readonly subkeys: RawComponent[];
  /** What was dropped and why, for an error message if nothing usable is left. */
  readonly notes: string[];
}

/**
 * Cuts a packet sequence into keys and their components. With limits (outside input), refuses private, v3 and v5
 * keys, drops user attributes and anything over the packet-size limits before openpgp.js parses a byte of it;
 * without (our own stored keys), only groups.
 */
export function groupCertificates(packets: readonly RawPacket[], limits: KeyLimits | null): RawCertificate[] {
  if (limits && packets.length > MAX_PACKETS_PER_UPLOAD) {
    throw new KeywardError(
      'too_large',
      `The upload holds ${packets.length} OpenPGP packets; at most ${MAX_PACKETS_PER_UPLOAD} are read. If your key ` +
        'carries many signatures by others, upload a minimal copy (gpg --export-options export-minimal --export).',
    );
  }
  const certs: RawCertificate[] = [];
  let cert: RawCertificate | null = null;
  let target: RawPacket[] | null = null; // where the next signatures belong; null while skipping a dropped component
  for (const p of packets) {
    if (p.tag === TAG.secretKey || p.tag === TAG.secretSubkey) throw keyRefusals.privateKey();
    if (MESSAGE_TAGS.has(p.tag)) throw invalidInput('This is an OpenPGP message, not a public key.');
    if (IGNORED.has(p.tag)) continue;
    if (p.tag === TAG.publicKey) {
      cert = startCertificate(p, limits);
      certs.push(cert);
      target = cert.signatures;
      continue;
    }
    if (!cert)
      throw invalidInput('This is not an OpenPGP public key: it does not start with a public key packet.');
    switch (p.tag) {
      case TAG.signature:
        if (!target) break;
        if (limits && p.bytes.length > limits.maxPacketBytes)
          cert.notes.push('an oversized signature was dropped');
        else target.push(p);
        break;
      case TAG.userId:
        target = addUserId(cert, p, limits);
        break;
      case TAG.publicSubkey:
        target = addSubkey(cert, p, limits);
        break;
      case TAG.userAttribute:
        // Photos: large, meaningful only to a human eye, and a way to grow a key without bound.
        cert.notes.push('photo IDs (user attributes) are not kept');
        target = null;
        break;
      default:
        target = null; // an unknown packet, and the signatures after it: dropped
    }
  }
  return certs;
}

function startCertificate(p: RawPacket, limits: KeyLimits | null): RawCertificate {
  const version = p.body[0];
  if (version !== 4 && version !== 6) throw keyRefusals.keyVersion(version);
  if (limits && p.bytes.length > limits.maxPacketBytes) {
    throw keyRefusals.tooLarge('The primary key packet', p.bytes.length, limits.maxPacketBytes);
  }
  return { primary: p, version, signatures: [], userIds: [], subkeys: [], notes: [] };
}

function addUserId(cert: RawCertificate, p: RawPacket, limits: KeyLimits | null): RawPacket[] | null {
  if (limits && (p.body.length > limits.maxUserIdBytes || p.bytes.length > limits.maxPacketBytes)) {
    cert.notes.push(
      `a user ID of ${p.body.length} bytes is over the limit of ${limits.maxUserIdBytes} bytes`,
    );
    return null;
  }
  const component: RawComponent = { packet: p, signatures: [] };
  cert.userIds.push(component);
  return component.signatures;
}

function addSubkey(cert: RawCertificate, p: RawPacket, limits: KeyLimits | null): RawPacket[] | null {
  if (limits && p.body[0] !== cert.version) {
    // A v6 key with v4 subkeys (or the reverse) is not a well-formed key in any implementation.
    cert.notes.push(`a version ${p.body[0]} subkey on a version ${cert.version} key was dropped`);
    return null;
  }
  if (limits && p.bytes.length > limits.maxPacketBytes) {
    cert.notes.push('an oversized subkey was dropped');
    return null;
  }
  const component: RawComponent = { packet: p, signatures: [] };
  cert.subkeys.push(component);
  return component.signatures;
}
