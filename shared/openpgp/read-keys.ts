import { readKeys, type Key, type PrivateKey } from 'openpgp';
import { KeywardError, invalidInput } from '../errors';
import { isBinaryPacketStart } from './byte-streams';
import { READ_CONFIG } from './profile';

/** A key or keys as they arrive from outside: ASCII armor (string or its bytes) or binary packets. */
export type KeyInput = string | Uint8Array;

/**
 * Parses every key in the input under READ_CONFIG. Internal: openpgp.js objects stay inside shared/openpgp.
 * Armored text given as bytes (a `.asc` file read as bytes) is accepted too.
 */
export async function parseKeys(input: KeyInput): Promise<Key[]> {
  let keys: Key[];
  try {
    if (input instanceof Uint8Array && isBinaryPacketStart(input[0])) {
      keys = await readKeys({ binaryKeys: input, config: READ_CONFIG });
    } else {
      const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
      // openpgp.js reads only the first armor block (RFC 9580 §6.2) of a text; keyrings often hold several.
      const blocks = armorBlocks(text);
      keys = [];
      for (const block of blocks) keys.push(...(await readKeys({ armoredKeys: block, config: READ_CONFIG })));
    }
  } catch (error) {
    throw new KeywardError(
      'invalid_input',
      `This is not a readable OpenPGP key: ${reason(error)}.`,
      {},
      { cause: error },
    );
  }
  if (keys.length === 0) throw invalidInput('No OpenPGP key was found in the input.');
  return keys;
}

/** Exactly one key; several keys in one input are refused rather than silently using the first. */
export async function parseKey(input: KeyInput): Promise<Key> {
  const keys = await parseKeys(input);
  if (keys.length !== 1) throw invalidInput(`Expected one OpenPGP key, found ${keys.length}.`);
  return keys[0]!;
}

export async function parsePrivateKey(input: KeyInput): Promise<PrivateKey> {
  const key = await parseKey(input);
  if (!key.isPrivate()) throw invalidInput('This is a public key; a private key is needed here.');
  return key;
}

/** Splits text at armor headers in one linear pass (a regex over hostile input could backtrack quadratically). */
function armorBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = text.indexOf('-----BEGIN PGP ');
  while (start !== -1) {
    const end = text.indexOf('-----END PGP ', start);
    if (end === -1) {
      blocks.push(text.slice(start));
      break;
    }
    const lineEnd = text.indexOf('\n', end);
    const stop = lineEnd === -1 ? text.length : lineEnd + 1;
    blocks.push(text.slice(start, stop));
    start = text.indexOf('-----BEGIN PGP ', stop);
  }
  return blocks.length > 0 ? blocks : [text];
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.$/, '').slice(0, 200) || 'unknown error';
}
