import {
  enums,
  PublicKeyPacket,
  PublicSubkeyPacket,
  SignaturePacket,
  UserIDPacket,
  type Config,
} from 'openpgp';
import { invalidInput } from '../../shared/errors';
import { Email, Fingerprint } from '../../shared/identity';
import type { Certificate, KeptSignature, SubkeyComponent, UserIdComponent } from './certificate';
import { checkSelfSignature, type SignatureCheck, type SignedData } from './check-self-signature';
import type { RawCertificate, RawComponent } from './group-certificates';
import { keyReadConfig } from './key-read-config';
import type { KeyLimits } from './key-limits';
import { parsePacket, tryParsePacket } from './parse-packet';
import type { RawPacket } from './scan-packets';
import { uniqueSignatures } from './signature-identity';

export interface ReadOptions {
  readonly now: Date;
  readonly limits: KeyLimits;
  /** Shared by all keys of one upload; null for our own stored keys (no cryptography redone). */
  readonly budget: { remaining: number } | null;
}

/**
 * Forged "self-signatures" tried per component before giving up on it, as a multiple of the signatures kept:
 * a component's own junk cannot use up the whole upload's budget.
 */
const ATTEMPTS_PER_KEPT_SIGNATURE = 4;

const CERTIFICATIONS = new Set<number>([
  enums.signature.certGeneric,
  enums.signature.certPersona,
  enums.signature.certCasual,
  enums.signature.certPositive,
]);

/**
 * Parses a key and keeps, per component, only the newest self-signatures that pass the policy. Third-party
 * certifications (the 2019 certificate-flooding attack) are dropped without any cryptography: only signatures
 * claiming the primary key as issuer are ever verified. Designated-revoker revocations are dropped too: we cannot verify them.
 */
export async function readCertificate(raw: RawCertificate, options: ReadOptions): Promise<Certificate> {
  const config = keyReadConfig(options.limits);
  const packet = await parsePacket(PublicKeyPacket, raw.primary, config).catch(() => {
    throw invalidInput(`The primary key uses a public-key algorithm or encoding Keyward cannot read.`);
  });
  const check: SignatureCheck = { primary: packet, now: options.now, config, budget: options.budget };
  const keep = options.limits.maxSignaturesPerComponent;
  const onKey: SignedData = { key: packet };
  const keySigs = await selfIssued(raw.signatures, packet, config, raw.notes);
  const directSignatures = await newestValid(keySigs, enums.signature.key, keep, check, onKey);
  const revocations = await newestValid(keySigs, enums.signature.keyRevocation, keep, check, onKey);

  const userIds: UserIdComponent[] = [];
  for (const component of raw.userIds) {
    const u = await readUserId(component, check, keep, raw.notes);
    if (u) userIds.push(u);
  }
  const subkeys: SubkeyComponent[] = [];
  for (const component of raw.subkeys) {
    const s = await readSubkey(component, check, keep, raw.notes);
    if (s) subkeys.push(s);
  }
  const fingerprint = Fingerprint.parse(packet.getFingerprint());
  return { raw: raw.primary, packet, fingerprint, directSignatures, revocations, userIds, subkeys };
}

async function readUserId(
  component: RawComponent,
  check: SignatureCheck,
  keep: number,
  notes: string[],
): Promise<UserIdComponent | null> {
  const packet = await tryParsePacket(UserIDPacket, component.packet, check.config);
  if (!packet) return null;
  const quoted = JSON.stringify(packet.userID.length > 60 ? `${packet.userID.slice(0, 60)}…` : packet.userID);
  const email = Email.fromUserId(packet.userID);
  if (!email) {
    notes.push(`user ID ${quoted} has no e-mail address`);
    return null;
  }
  const sigs = await selfIssued(component.signatures, check.primary, check.config, notes);
  const data: SignedData = { key: check.primary, userID: packet };
  const certifications = await newestValid(sigs, CERTIFICATIONS, keep, check, data);
  const revocations = await newestValid(sigs, enums.signature.certRevocation, keep, check, data);
  if (certifications.length === 0) notes.push(`user ID ${quoted} has no valid self-signature`);
  if (certifications.length === 0 && revocations.length === 0) return null;
  return { raw: component.packet, packet, email, certifications, revocations };
}

async function readSubkey(
  component: RawComponent,
  check: SignatureCheck,
  keep: number,
  notes: string[],
): Promise<SubkeyComponent | null> {
  const packet = await tryParsePacket(PublicSubkeyPacket, component.packet, check.config);
  if (!packet) {
    notes.push('a subkey Keyward cannot read was dropped');
    return null;
  }
  const sigs = await selfIssued(component.signatures, check.primary, check.config, notes);
  const data: SignedData = { key: check.primary, bind: packet };
  const bindings = await newestValid(sigs, enums.signature.subkeyBinding, keep, check, data);
  const revocations = await newestValid(sigs, enums.signature.subkeyRevocation, keep, check, data);
  if (bindings.length === 0 && revocations.length === 0) return null;
  return { raw: component.packet, packet, bindings, revocations };
}

/** The signatures that claim to be by the primary key; everything else is a third party's and goes. */
async function selfIssued(raws: RawPacket[], primary: PublicKeyPacket, config: Config, notes: string[]) {
  const out: KeptSignature[] = [];
  let thirdParty = 0;
  for (const raw of raws) {
    const packet = await tryParsePacket(SignaturePacket, raw, config);
    if (!packet?.created) continue;
    if (!issuedBy(packet, primary)) {
      thirdParty += 1;
      continue;
    }
    out.push({ raw, packet, created: packet.created.getTime() });
  }
  if (thirdParty > 0) notes.push(`${thirdParty} third-party certification(s) removed`);
  return out;
}

function issuedBy(sig: SignaturePacket, primary: PublicKeyPacket): boolean {
  const fpr = sig.issuerFingerprint;
  if (fpr && fpr.length > 0) return Buffer.from(fpr).equals(primary.getFingerprintBytes()!);
  return sig.issuerKeyID.equals(primary.getKeyID());
}

/** Newest first, so a cap keeps the current state of the component and forged signatures meet a bounded effort. */
async function newestValid(
  sigs: readonly KeptSignature[],
  types: number | ReadonlySet<number>,
  keep: number,
  check: SignatureCheck,
  data: SignedData,
): Promise<KeptSignature[]> {
  const wanted = typeof types === 'number' ? new Set([types]) : types;
  const candidates = uniqueSignatures(sigs.filter((s) => wanted.has(s.packet.signatureType!))).sort(
    (a, b) => b.created - a.created,
  );
  const kept: KeptSignature[] = [];
  let attempts = 0;
  for (const sig of candidates) {
    if (kept.length >= keep || attempts >= keep * ATTEMPTS_PER_KEPT_SIGNATURE) break;
    attempts += 1;
    if (await checkSelfSignature(check, sig.packet, data)) kept.push(sig);
  }
  return kept;
}
