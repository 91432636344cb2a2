import { fullConfig, READ_CONFIG } from './profile';
import { parseKey, parseKeys, type KeyInput } from './read-keys';

/** Every key of a keyring-style input (armored or binary), each as its own armored text. */
export async function splitKeys(input: KeyInput): Promise<string[]> {
  const keys = await parseKeys(input);
  return keys.map((key) => key.armor(fullConfig(READ_CONFIG)));
}

/** The public part of one key (a private key loses its secret material; a public key is returned re-armored). */
export async function publicKeyOf(input: KeyInput): Promise<string> {
  const key = await parseKey(input);
  return key.toPublic().armor(fullConfig(READ_CONFIG));
}
