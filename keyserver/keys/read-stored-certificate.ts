import type { Certificate } from './certificate';
import { groupCertificates } from './group-certificates';
import type { KeyLimits } from './key-limits';
import { normalizeCertificate } from './normalize-certificate';
import { readCertificate } from './read-certificate';
import { scanPackets } from './scan-packets';

/**
 * Reads a key from our own store: purified on the way in, so no signature is verified again (parse at the
 * boundary, trust inside), but the time rules are applied at `now` and the caps again.
 */
export async function readStoredCertificate(
  packets: Uint8Array,
  limits: KeyLimits,
  now: Date,
): Promise<Certificate> {
  const raws = groupCertificates(scanPackets(packets), null);
  if (raws.length !== 1) throw new Error(`A stored key holds ${raws.length} keys instead of one.`);
  return normalizeCertificate(await readCertificate(raws[0]!, { now, limits, budget: null }), limits);
}
