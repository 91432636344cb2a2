import { readGroupFile } from '../read-group-file';
import type { Group } from '../../shared/recipients/group-file';
import { COMMON_HELP, COMMON_OPTIONS, keywardFrom } from './cli-context';
import { note, type Command } from './command';
import { UsageError } from './exit-codes';
import { openInput, openOutput, writeAll } from './file-io';
import { openKeyFile } from './key-file';
import { startProgress } from './progress';

export const encryptCommand: Command = {
  name: 'encrypt',
  summary: 'encrypt a file to addresses or groups, optionally signed',
  help: `Usage: keyward encrypt --to ADDRESS|GROUPFILE [--to ...] [options] [FILE|-]

Encrypts FILE (or standard input) to every address and every member of each group file, with the
keys pinned for them (looked up and pinned on first use; see keyward lookup). Each address is looked up
again first, so a revoked or replaced key is noticed now; if the sources cannot be reached, the pinned
key is used. Nothing is written if any recipient has no usable key.

The result is a binary OpenPGP file: SEIPDv2 with AES-256-GCM when every recipient's key advertises it
(Keyward keys), else SEIPDv1 (keys made by GnuPG 2.2, which reads only that). Never compressed.

Options:
  --to ADDRESS|FILE     a recipient: an address, or a *.keyward-group.json file (repeat for more)
  --sign-with KEYFILE   sign with this private key (armored or binary); its passphrase comes from
                        KEYWARD_PASSPHRASE or is asked on the terminal
  -o, --output FILE     write here (default: standard output, refused when that is a terminal)
  --filename NAME       the file name stored inside (default: FILE's name; none for standard input)
  --offline             look nothing up: use only keys already pinned
  -q, --quiet           no progress line, no report on standard error
${COMMON_HELP}

Exit codes: 0 encrypted; 2 usage (or an unreadable file); 3 no usable key for an address; 4 a pinned key
changed; 5 a key is revoked or expired; 8 passphrase missing or wrong; 9 a source or the keyring failed.`,
  options: {
    ...COMMON_OPTIONS,
    to: { type: 'string', multiple: true },
    'sign-with': { type: 'string' },
    output: { type: 'string', short: 'o' },
    filename: { type: 'string' },
    offline: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  },
  positionals: { min: 0, max: 1 },
  async run(values, [path]) {
    const to = (values.to as string[] | undefined) ?? [];
    if (to.length === 0) throw new UsageError('Say who to encrypt to with --to ADDRESS or --to GROUPFILE.');
    const output = values.output as string | undefined;
    if ((output === undefined || output === '-') && process.stdout.isTTY) {
      throw new UsageError(
        'Standard output is a terminal: write the encrypted file with -o FILE, or redirect it.',
      );
    }
    const recipients: (string | Group)[] = [];
    for (const entry of to) {
      recipients.push(entry.endsWith('.json') ? await readGroupFile(entry).catch(groupError(entry)) : entry);
    }
    const keyward = keywardFrom(values);
    // Recipients first: a key problem stops the command before any passphrase is asked or byte is read.
    const keys = await keyward.recipients(recipients, { offline: Boolean(values.offline) });
    const signWith = values['sign-with'] ? await openKeyFile(values['sign-with'] as string) : undefined;
    const input = openInput(path);
    const quiet = Boolean(values.quiet);
    const progress = startProgress('Encrypting', input.size, !quiet);
    input.onRead = (n) => progress.advance(n);
    const filename = (values.filename as string | undefined) ?? input.name;
    const encrypted = await keyward.encrypt({
      to: recipients,
      plaintext: input.stream,
      // The check above just ran: no second round of lookups for the same addresses.
      offline: true,
      ...(filename === undefined ? {} : { filename }),
      ...(signWith === undefined ? {} : { signWith }),
      ...(input.size === undefined ? {} : { plaintextLength: input.size }),
    });
    await writeAll(encrypted.ciphertext, openOutput(output));
    progress.done();
    if (!quiet) {
      const kind = encrypted.encryption === 'seipdv2' ? 'SEIPDv2, AES-256-GCM' : 'SEIPDv1, for GnuPG';
      note(`encrypted (${kind}${signWith ? ', signed' : ''}) for:`);
      for (const key of keys) note(`  ${key.userId} ${key.fingerprint}`);
    }
    return 0;
  },
};

function groupError(path: string) {
  return (error: unknown): never => {
    throw new UsageError(`${path} is not a readable group file: ${(error as Error).message}`);
  };
}
