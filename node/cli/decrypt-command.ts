import { isKeywardError } from '../../shared/errors';
import type { UnlockedKey } from '../../shared/openpgp';
import type { SignatureReport } from '../decrypt';
import { COMMON_HELP, COMMON_OPTIONS, keywardFrom } from './cli-context';
import { note, type Command } from './command';
import { CommandFailure, EXIT, UsageError } from './exit-codes';
import { openInput, openOutput, writeAll, type Output } from './file-io';
import { openKeyFile } from './key-file';
import { startProgress } from './progress';
import { checkSignatures, describeSignatures, requiredSigners } from './signature-check';

const DECRYPT_OPTIONS = {
  ...COMMON_OPTIONS,
  key: { type: 'string', multiple: true },
  signer: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export const decryptCommand: Command = {
  name: 'decrypt',
  summary: 'decrypt a file with your private key, and say who signed it',
  help: `Usage: keyward decrypt --key KEYFILE [options] [FILE|-]

Decrypts FILE (or standard input) with the private key in KEYFILE (armored or binary: Keyward's export
or GnuPG's). Its passphrase comes from the environment variable KEYWARD_PASSPHRASE or is asked on the
terminal without echo; it is never a command-line argument. Signatures are checked against the keys
pinned in the keyring and the --signer key files, and reported on standard error.

Options:
  --key KEYFILE           your private key (repeat to try several)
  -o, --output FILE       write the plaintext here. The file appears only once all of it decrypted and
                          checked out (and, with --signer, the signature too); otherwise nothing is left.
                          Default: standard output, where a damaged file or a failed --signer check may
                          leave part of the plaintext written: the exit code then says to discard it.
  --signer ADDRESS|FILE   require a good signature by this address's pinned key or this public key
                          file (repeat to accept any of several)
  -q, --quiet             no progress line, no report
${COMMON_HELP}

Exit codes: 0 decrypted; 2 usage or an unreadable key file; 6 damaged, cut short, tampered with or not
for this key; 7 --signer given and no good signature by it; 8 passphrase missing or wrong.`,
  options: { ...DECRYPT_OPTIONS, output: { type: 'string', short: 'o' } },
  positionals: { min: 0, max: 1 },
  run: (values, [path]) => decryptTo(values, path, openOutput(values.output as string | undefined)),
};

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check who signed an encrypted file (decrypts it, writes nothing)',
  help: `Usage: keyward verify --key KEYFILE [--signer ADDRESS|FILE ...] [options] [FILE|-]

A Keyward file is signed inside its encryption, so checking its signature needs your key: verify
decrypts FILE (or standard input) without writing the plaintext anywhere, checks that it is whole and
untouched, and checks its signatures against the keys pinned in the keyring and the --signer files.
It succeeds only if a signature is good and by a known key (with --signer: by one of those).

Options:
  --key KEYFILE           your private key (repeat to try several); passphrase as for decrypt
  --signer ADDRESS|FILE   require a good signature by this address's pinned key or this public key file
  --json                  the signatures as JSON on standard output
  -q, --quiet             no progress line
${COMMON_HELP}

Exit codes: 0 good signature; 6 the file cannot be decrypted; 7 not signed, bad signature, or by
nobody expected; 8 passphrase missing or wrong.`,
  options: { ...DECRYPT_OPTIONS, json: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  run: (values, [path]) => decryptTo({ ...values, verify: true }, path, null),
};

/** Decrypts into `output` (or nowhere: verify) and reports; with --signer or verify, a signature is required. */
async function decryptTo(values: Record<string, unknown>, path: string | undefined, output: Output | null) {
  const keyFiles = (values.key as string[] | undefined) ?? [];
  if (keyFiles.length === 0) throw new UsageError('Say which private key to decrypt with: --key KEYFILE.');
  const keyward = keywardFrom(values);
  const signerArgs = (values.signer as string[] | undefined) ?? [];
  const required = signerArgs.length > 0 ? await requiredSigners(keyward, signerArgs) : null;
  const keys: UnlockedKey[] = [];
  for (const file of keyFiles) keys.push(await openKeyFile(file));
  const input = openInput(path);
  const quiet = Boolean(values.quiet);
  const progress = startProgress(output ? 'Decrypting' : 'Verifying', input.size, !quiet);
  input.onRead = (n) => progress.advance(n);
  let signatures: SignatureReport[] = [];
  try {
    const decrypted = await keyward.decrypt({
      ciphertext: input.stream,
      keys,
      verificationKeys: required?.keys ?? [],
    });
    const mustBeSigned = required !== null || values.verify === true;
    const check = async () => {
      signatures = await decrypted.signatures;
      if (mustBeSigned) checkSignatures(signatures, required);
    };
    if (output) await writeAll(decrypted.plaintext, output, check);
    else await writeAll(decrypted.plaintext, { write() {}, commit() {}, discard() {} }, check);
    progress.done();
    if (values.json)
      process.stdout.write(`${JSON.stringify({ filename: decrypted.filename, signatures })}\n`);
    else if (!quiet) {
      if (decrypted.filename) note(`file name inside: ${JSON.stringify(decrypted.filename)}`);
      for (const line of describeSignatures(signatures)) note(line);
    }
    return EXIT.ok;
  } catch (error) {
    progress.done();
    if (error instanceof CommandFailure) {
      if (!quiet) for (const line of describeSignatures(signatures)) note(line);
      throw error;
    }
    // The key was fine (opened above): whatever fails now is the file.
    if (isKeywardError(error) && error.details.reason === undefined) {
      throw new CommandFailure(EXIT.decryptionFailed, error.message);
    }
    throw error;
  }
}
