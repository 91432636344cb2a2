import { invalidInput } from '../errors';
import { fullConfig, READ_CONFIG } from './profile';
import { parseKey, parseKeys, type KeyInput } from './read-keys';
import { summarizeParsedKey, type KeySummary } from './summarize-key';

/** One public key of a keyring-style input: its armored text and what it says at the given date. */
export interface PublicKeyEntry {
  readonly armored: string;
  readonly summary: KeySummary;
  /** The input held the private key; only its public part is here. */
  readonly wasPrivate: boolean;
}

/**
 * Every key of a keyring-style input (armored or binary) as public keys, each summarized: other people's keys
 * (contacts, lookups). A private key in the input is reduced to its public part; its secret never leaves here.
 */
export async function readPublicKeys(input: KeyInput, options: { date: Date }): Promise<PublicKeyEntry[]> {
  const keys = await parseKeys(input);
  return Promise.all(
    keys.map(async (key) => {
      const pub = key.isPrivate() ? key.toPublic() : key;
      return {
        armored: pub.armor(fullConfig(READ_CONFIG)),
        summary: await summarizeParsedKey(pub, options.date),
        wasPrivate: key.isPrivate(),
      };
    }),
  );
}

/**
 * Two copies of one public key as one: whatever the incoming copy adds (revocations, new subkeys, new
 * self-signatures) joins the stored copy, and nothing the stored copy has is dropped, so a source serving an old
 * copy cannot undo a revocation already learnt.
 */
export async function mergePublicKeys(
  stored: KeyInput,
  incoming: KeyInput,
  options: { date: Date },
): Promise<string> {
  const [base, update] = [await parseKey(stored), await parseKey(incoming)];
  if (base.getFingerprint() !== update.getFingerprint()) throw invalidInput('These are two different keys.');
  const config = fullConfig(READ_CONFIG);
  const merged = await base.toPublic().update(update.toPublic(), options.date, config);
  return merged.armor(config);
}
