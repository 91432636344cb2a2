import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A real keyserver process (`node keyserver/main.ts`) on an ephemeral port, as `npm run keyserver` runs it.
 * Resolves once it prints its listening line; `stop()` sends SIGTERM and waits for a clean exit.
 * `root`: the checkout to run it from (default this one), e.g. a production install's copy.
 * `clockFile`: the process's clock runs that many milliseconds ahead of real time, read from the file on every
 * reading (shifted-clock.ts), so a test moves time in running processes by writing the file.
 */
export async function startKeyserverProcess(
  env: Record<string, string>,
  { root = ROOT, clockFile }: { root?: string; clockFile?: string } = {},
) {
  // Vitest puts Vite's BASE_URL ('/') into process.env; the keyserver must not inherit it.
  const { BASE_URL: _vite, ...inherited } = process.env;
  const shifted = clockFile ? ['--import', join(ROOT, 'keyserver/test-support/shifted-clock.ts')] : [];
  const args = ['--import', 'tsx', ...shifted, join(root, 'keyserver/main.ts')];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...inherited,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
      ...(clockFile ? { KEYWARD_TEST_CLOCK_FILE: clockFile } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`keyserver did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`keyserver exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    /** The process id (benchmarks read its memory from /proc). */
    pid: child.pid!,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
      // Already gone (a signal ends it with no exit code): there will be no 'exit' event to wait for.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      child.kill(signal);
      return exited;
    },
  };
}
