import { concatBytes } from '../../shared/bytes';
import { unarmor } from 'openpgp';
import { invalidInput } from '../../shared/errors';
import { keyRefusals } from './key-refusals';

const ARMOR_BLOCK = /-----BEGIN PGP ([A-Z ]{1,40}?)-----[\s\S]*?-----END PGP \1-----/g;
const PUBLIC_KEY_BLOCK = 'PUBLIC KEY BLOCK';
const PRIVATE_KEY_BLOCKS = new Set(['PRIVATE KEY BLOCK', 'SECRET KEY BLOCK']);

/**
 * Turns an upload into binary OpenPGP data: ASCII armor (one or several concatenated blocks, as HKP keyrings and
 * pasted key files come) or binary as is. Says clearly what is wrong with anything else.
 */
export async function decodeKeyInput(input: string | Uint8Array): Promise<Uint8Array> {
  if (typeof input !== 'string') {
    if (!looksArmored(input)) return input;
    input = new TextDecoder().decode(input);
  }
  const blocks = [...input.matchAll(ARMOR_BLOCK)];
  if (blocks.length === 0) {
    if (input.includes('-----BEGIN PGP')) {
      throw invalidInput(
        'The armored key is incomplete: its -----END PGP PUBLIC KEY BLOCK----- line is missing. Copy the whole key.',
      );
    }
    throw invalidInput(
      'This is not an OpenPGP public key. Upload the whole ASCII-armored key, from ' +
        '-----BEGIN PGP PUBLIC KEY BLOCK----- to -----END PGP PUBLIC KEY BLOCK-----.',
    );
  }
  const parts: Uint8Array[] = [];
  for (const [block, type] of blocks) {
    if (PRIVATE_KEY_BLOCKS.has(type!)) throw keyRefusals.privateKey();
    if (type !== PUBLIC_KEY_BLOCK) {
      throw invalidInput(`This is an OpenPGP ${type!.toLowerCase()}, not a public key.`);
    }
    parts.push(await dearmor(block));
  }
  return concatBytes(parts);
}

async function dearmor(block: string): Promise<Uint8Array> {
  let data: unknown;
  try {
    // The declared type is a stream; for a string input openpgp.js reads it to the end and hands back bytes.
    ({ data } = (await unarmor(block)) as { data: unknown });
  } catch {
    throw invalidInput(
      'The ASCII armor of the key is damaged: the header or the blank line after it is missing.',
    );
  }
  if (!(data instanceof Uint8Array))
    throw new Error('openpgp.js unarmor returned a stream for a string input');
  return data;
}

function looksArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith('-----BEGIN');
}
