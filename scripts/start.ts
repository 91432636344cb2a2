/**
 * `npm start`: builds the extension for Chromium, then runs the keyserver on its embedded store in the
 * foreground, and says in plain words what to do next: the keyserver's address, the folder to load in the browser,
 * and, for every mail the keyserver writes to its outbox, the link to open or the code to type (the .eml file may be
 * encrypted to a key that lives only in the extension). Everything else the keyserver logs goes to
 * DATA_DIR/keyserver.log; warnings and errors are shown too. Ctrl-C stops both cleanly.
 *
 * `npm start -- --no-build` skips the build (the extension in .output/chrome-mv3 is used as it is). Everything is
 * configured through the keyserver's environment (.env.example); nothing else needs to be installed.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const extensionDir = resolve(root, '.output/chrome-mv3');
/** The extension's default keyserver setting (extension/settings/settings-store.ts). */
const EXTENSION_DEFAULT_KEYSERVER = 'http://127.0.0.1:8080';
// Child processes: no dotenv banner in the middle of the output.
const childEnv = { ...process.env, DOTENV_CONFIG_QUIET: 'true' };

/** Runs a command with its output kept; shows it only if the command fails. */
function runQuietly(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', fail);
    child.once('exit', (code, signal) => done({ code: code ?? (signal ? 1 : 0), output }));
  });
}

if (!process.argv.includes('--no-build')) {
  console.log('Building the extension for Chromium…');
  const started = Date.now();
  const wxt = resolve(root, 'node_modules/wxt/bin/wxt.mjs');
  const built = await runQuietly(process.execPath, [wxt, 'build', '-b', 'chrome']);
  if (built.code !== 0) {
    process.stdout.write(built.output);
    console.error('The extension did not build (its output is above).');
    process.exit(built.code);
  }
  console.log(`Built in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}
if (!existsSync(join(extensionDir, 'manifest.json'))) {
  console.error(`No built extension in ${extensionDir}: run npm start without --no-build.`);
  process.exit(1);
}

const dataDir = resolve(root, process.env.DATA_DIR || './data');
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const logFile = join(dataDir, 'keyserver.log');
const fullLog = createWriteStream(logFile, { flags: 'a', mode: 0o600 });

const keyserver = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'keyserver/main.ts')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  // Info, so that mails written to the outbox are logged with their links and codes.
  env: { ...childEnv, LOG_LEVEL: process.env.LOG_LEVEL || 'info' },
});

interface LogLine {
  level?: number;
  msg?: string;
  to?: string;
  subject?: string;
  links?: string[];
  codes?: string[];
  file?: string;
  err?: { message?: string };
  cause?: { message?: string };
}

/** What a person needs from one line of the keyserver's output (nothing for routine lines). */
function describe(line: string): string | undefined {
  const listening = /^Keyward keyserver listening on \S+ \(BASE_URL (\S+)\)$/.exec(line);
  if (listening) return banner(listening[1]!);
  let entry: LogLine;
  try {
    entry = JSON.parse(line) as LogLine;
  } catch {
    return line; // not a log line: say it as it is
  }
  if (entry.msg === 'mail written to outbox') {
    return [
      `Mail to ${entry.to}: ${entry.subject}`,
      ...(entry.links ?? []).map((link) => `  open:  ${link}`),
      ...(entry.codes ?? []).map((code) => `  code:  ${code}`),
      `  saved: ${entry.file}`,
      '',
    ].join('\n');
  }
  if ((entry.level ?? 0) >= 40) {
    const why = entry.err?.message ?? entry.cause?.message;
    return `${entry.level! >= 50 ? 'Error' : 'Warning'}: ${entry.msg}${why ? ` (${why})` : ''}`;
  }
  return undefined;
}

function banner(url: string): string {
  const setting =
    url === EXTENSION_DEFAULT_KEYSERVER
      ? `              Its Keyserver setting (Options) is this address already.`
      : `              Set its Keyserver (Options) to ${url}: its default is ${EXTENSION_DEFAULT_KEYSERVER}.`;
  return [
    '',
    `  Keyserver:  ${url}   (health: ${url}/healthz)`,
    `  Extension:  ${extensionDir}`,
    '              Chromium: chrome://extensions -> Developer mode -> Load unpacked -> that folder',
    '              Firefox:  npm run build:firefox, then about:debugging -> Load Temporary Add-on',
    setting,
    ...(process.env.SMTP_URL
      ? []
      : ['  Mail:       no mail server (SMTP_URL unset): each mail is shown here, with its link or code']),
    `  Full log:   ${logFile}`,
    '',
    '  Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

function lines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    fullLog.write(chunk);
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop()!;
    for (const line of complete) if (line.trim()) each(line);
  });
}
lines(keyserver.stdout, (line) => {
  const said = describe(line);
  if (said !== undefined) console.log(said);
});
lines(keyserver.stderr, (line) => console.error(describe(line) ?? line));

// Forward Ctrl-C / SIGTERM to the keyserver and leave with its exit code once it has shut down.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => keyserver.kill(signal));
}
keyserver.once('exit', (code, signal) => {
  fullLog.end();
  process.exit(code ?? (signal === 'SIGINT' ? 0 : 1));
});
