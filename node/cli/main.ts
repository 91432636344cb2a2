import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { isKeywardError } from '../../shared/errors';
import type { Command } from './command';
import { decryptCommand, verifyCommand } from './decrypt-command';
import { encryptCommand } from './encrypt-command';
import { CommandFailure, EXIT, exitCodeFor, UsageError } from './exit-codes';
import { discardUnfinishedOutputs } from './file-io';
import { inspectCommand } from './inspect-command';
import { keysCommand } from './keys-command';
import { lookupCommand } from './lookup-command';

const COMMANDS: readonly Command[] = [
  lookupCommand,
  encryptCommand,
  decryptCommand,
  verifyCommand,
  inspectCommand,
  keysCommand,
];

const MAIN_HELP = `Usage: keyward COMMAND [options] [arguments]

Encrypt files to people by their e-mail address, with the keys they published (a Keyward keyserver,
their domain's WKD, keys.openpgp.org), pinned on first use; decrypt and check files.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}

keyward COMMAND --help says more about each.

Exit codes:
  0 ok                        5 a key is revoked or expired
  1 internal error (a bug)    6 cannot decrypt: damaged, cut short, tampered, not for this key
  2 usage or unreadable file  7 signature missing, bad or not by the expected signer
  3 no usable key found       8 passphrase missing or wrong
  4 a pinned key changed      9 a lookup source, the keyserver or the keyring failed

Environment: KEYWARD_KEYRING, KEYWARD_KEYSERVER, KEYWARD_SOURCES (see a command's --help) and
KEYWARD_PASSPHRASE (the passphrase of the key file a command opens; otherwise asked on the terminal).`;

/** Runs one command line; returns the exit code. Messages go to standard error, results to standard output. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${MAIN_HELP}\n`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(`${topic ? topic.help : MAIN_HELP}\n`);
    return EXIT.ok;
  }
  if (name === '--version') {
    process.stdout.write(`keyward ${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return fail(`Unknown command ${JSON.stringify(name)}.`, EXIT.usage, 'keyward --help');
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { min, max } = command.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(
        max === 0
          ? 'This command takes no arguments.'
          : `Expected ${min === max ? min : `${min} to ${max}`} argument(s).`,
      );
    }
    return await command.run(parsed.values, parsed.positionals);
  } catch (error) {
    discardUnfinishedOutputs();
    const code = exitCodeFor(error);
    if (error instanceof UsageError) return fail(error.message, code, `keyward ${command.name} --help`);
    if (error instanceof CommandFailure || isKeywardError(error)) return fail(error.message, code);
    return fail(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      code,
    );
  }
}

function fail(message: string, code: number, seeAlso?: string): number {
  process.stderr.write(`keyward: ${message}\n${seeAlso ? `See: ${seeAlso}\n` : ''}`);
  return code;
}

function version(): string {
  return pkg.version;
}
