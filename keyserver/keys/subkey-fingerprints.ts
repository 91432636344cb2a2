import { Fingerprint } from '../../shared/identity';
import { DEFAULT_KEY_LIMITS } from './key-limits';
import { readStoredCertificate } from './read-stored-certificate';

/**
 * The fingerprints of the subkeys a stored key is served with. The store indexes subkeys by key id only; a lookup by
 * a subkey's full fingerprint (VKS allows one, and GnuPG's dirmngr asks by the fingerprint of the subkey that made a
 * signature) narrows by key id and then needs the whole fingerprint to match, so a key id shared by accident or on
 * purpose never answers for a different subkey.
 */
export async function subkeyFingerprints(packets: Uint8Array, now: Date): Promise<Fingerprint[]> {
  const cert = await readStoredCertificate(packets, DEFAULT_KEY_LIMITS, now);
  return cert.subkeys.map((s) => Fingerprint.parse(s.packet.getFingerprint()));
}
