import { Email } from '../../shared/identity';
import { readPublicKeys, type KeyInput } from '../../shared/openpgp';
import type { SignatureReport } from '../decrypt';
import type { Keyward } from '../keyward-client';
import { CommandFailure, EXIT } from './exit-codes';
import { readSmallFile } from './key-file';

/** Who must have signed: fingerprints, and the public keys to check them with (from key files). */
export interface RequiredSigners {
  readonly fingerprints: ReadonlySet<string>;
  readonly keys: readonly KeyInput[];
  readonly names: readonly string[];
}

/**
 * `--signer` values: an address (its pinned key; looked up and pinned first if nothing is pinned yet) or a public
 * key file.
 */
export async function requiredSigners(
  keyward: Keyward,
  signers: readonly string[],
): Promise<RequiredSigners> {
  const fingerprints = new Set<string>();
  const keys: KeyInput[] = [];
  const pinned = (await keyward.keys.list()).keys;
  for (const signer of signers) {
    const email = signer.includes('@') && !signer.includes('/') ? Email.tryParse(signer) : null;
    if (email) {
      const known = pinned.find((k) => k.pinnedFor.includes(email));
      fingerprints.add(known ? known.fingerprint : (await keyward.lookup(email)).fingerprint);
    } else {
      const data = readSmallFile(signer, 'a public key file');
      for (const { summary } of await readPublicKeys(data, { date: new Date() }))
        fingerprints.add(summary.fingerprint);
      keys.push(data);
    }
  }
  return { fingerprints, keys, names: signers };
}

/** Throws exit code 7 unless a valid signature is by a required signer (or, with none required, by a known key). */
export function checkSignatures(
  signatures: readonly SignatureReport[],
  required: RequiredSigners | null,
): void {
  const good = signatures.filter(
    (s) => s.valid && s.signer && (required === null || required.fingerprints.has(s.signer.fingerprint)),
  );
  if (good.length > 0) return;
  if (signatures.length === 0) throw new CommandFailure(EXIT.badSignature, 'The file is not signed.');
  const wanted = required ? ` by ${required.names.join(' or ')}` : ' by a key in the keyring';
  throw new CommandFailure(EXIT.badSignature, `The file carries no valid signature${wanted}.`);
}

/** One line per signature, for the report on standard error. */
export function describeSignatures(signatures: readonly SignatureReport[]): string[] {
  if (signatures.length === 0) return ['not signed'];
  return signatures.map((s) =>
    s.signer === null
      ? `signed by key ${s.keyId}, which is not in the keyring: not checked`
      : `${s.valid ? 'good signature' : 'BAD signature'} by ${s.signer.userIds[0] ?? 'a key without user id'} ${s.signer.fingerprint}`,
  );
}
