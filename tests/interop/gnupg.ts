/**
 * Drives the real GnuPG (`gpg`, 2.2 on the CI image) for interop tests. Every home is a fresh temporary
 * GNUPGHOME, so tests never touch the user's keyring or each other; `dispose()` stops the agent GnuPG starts there
 * (`gpgconf --kill all`) and deletes the directory. Passphrases go through loopback pinentry, never a dialog.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GpgResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export interface GnuPGHome {
  readonly dir: string;
  /** Runs gpg in this home; rejects on a non-zero exit unless `allowFailure`. `at`: gpg's clock, frozen there. */
  gpg(
    args: string[],
    options?: { input?: Uint8Array | string; passphrase?: string; allowFailure?: boolean; at?: Date },
  ): Promise<GpgResult>;
  /** Stops this home's gpg-agent, dropping its passphrase cache. */
  killAgent(): Promise<void>;
  /** The primary fingerprint of the first key matching `query`. */
  fingerprint(query: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createGnuPGHome(): Promise<GnuPGHome> {
  // Short path: the agent's socket path must stay under the 108-byte sun_path limit.
  const dir = await mkdtemp(join(tmpdir(), 'kw-gpg-'));
  const home: GnuPGHome = {
    dir,
    async gpg(args, options = {}) {
      const base = ['--homedir', dir, '--batch', '--no-tty', '--yes', '--pinentry-mode', 'loopback'];
      const passphrase = options.passphrase === undefined ? [] : ['--passphrase', options.passphrase];
      const clock =
        options.at === undefined ? [] : ['--faked-system-time', `${options.at.getTime() / 1000}!`];
      const result = await run('gpg', [...base, ...passphrase, ...clock, ...args], options.input);
      if (result.code !== 0 && !options.allowFailure) {
        throw new Error(`gpg ${args.join(' ')} exited with ${result.code}:\n${result.stderr}`);
      }
      return result;
    },
    async fingerprint(query) {
      const { stdout } = await home.gpg(['--with-colons', '--list-keys', query]);
      const line = stdout
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith('fpr:'));
      if (!line) throw new Error(`no key for ${query}`);
      return line.split(':')[9]!;
    },
    async killAgent() {
      await run('gpgconf', ['--homedir', dir, '--kill', 'gpg-agent']);
    },
    async dispose() {
      await run('gpgconf', ['--homedir', dir, '--kill', 'all']);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return home;
}

function run(command: string, args: string[], input?: Uint8Array | string): Promise<GpgResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    // gpg may exit before reading all of stdin (a refused import): that EPIPE is not our failure, the exit code is.
    child.stdin.on('error', () => {});
    child.on('close', (code) =>
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code: code ?? -1,
      }),
    );
    child.stdin.end(input ?? '');
  });
}
