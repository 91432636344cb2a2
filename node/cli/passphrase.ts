import { openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { CommandFailure, EXIT } from './exit-codes';

/** The one place a passphrase comes from besides the terminal; never a command-line argument (`ps` shows those). */
export const PASSPHRASE_ENV = 'KEYWARD_PASSPHRASE';

/**
 * A passphrase for `what` (a key file), asked only when that key turns out to be protected: from
 * KEYWARD_PASSPHRASE, else typed on the controlling terminal without echo (also when standard input carries the
 * file), else the command stops with exit code 8 and says how to give one.
 */
export function passphraseFor(what: string): () => Promise<string> {
  return async () => {
    const fromEnv = process.env[PASSPHRASE_ENV];
    if (fromEnv !== undefined) return fromEnv;
    const typed = await promptOnTerminal(`Passphrase for ${what}: `);
    if (typed === null) {
      throw new CommandFailure(
        EXIT.passphrase,
        `${what} is protected by a passphrase. Set ${PASSPHRASE_ENV}, or run keyward on a terminal to be asked.`,
      );
    }
    return typed;
  };
}

/** Reads a line from /dev/tty with echo off; null when the process has no terminal. */
async function promptOnTerminal(prompt: string): Promise<string | null> {
  let inFd: number;
  let outFd: number;
  try {
    inFd = openSync('/dev/tty', 'r');
    outFd = openSync('/dev/tty', 'w');
  } catch {
    return null;
  }
  const input = new ReadStream(inFd);
  const output = new WriteStream(outFd);
  // Echo off before the prompt shows: what is typed as soon as it appears must not be echoed either.
  input.setRawMode(true);
  output.write(prompt);
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      input.on('data', (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(value);
          if (ch === '\u0003') return reject(new CommandFailure(130, 'Interrupted.'));
          if (ch === '\u0004' && value === '')
            return reject(new CommandFailure(EXIT.passphrase, 'No passphrase.'));
          if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
          else if (ch === '\u0015') value = '';
          else if (ch >= ' ') value += ch;
        }
      });
    });
  } finally {
    input.setRawMode(false);
    output.write('\n');
    input.destroy();
    output.destroy();
  }
}
