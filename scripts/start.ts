/**
 * `npm start`: builds the extension for Chromium, then runs the keyserver on its embedded store in the
 * foreground. Ctrl-C stops both cleanly. Everything is configured through the keyserver's environment
 * (.env.example); nothing else needs to be installed.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.once('error', fail);
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

console.log('Building the extension for Chromium…');
const built = await run(process.execPath, [
  resolve(root, 'node_modules/wxt/bin/wxt.mjs'),
  'build',
  '-b',
  'chrome',
]);
if (built !== 0) process.exit(built);

const extensionDir = resolve(root, '.output/chrome-mv3');
const keyserver = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'keyserver/main.ts')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { LOG_LEVEL: 'warn', ...process.env },
});

let announced = false;
keyserver.stdout.setEncoding('utf8');
keyserver.stdout.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  if (!announced && chunk.includes('Keyward keyserver listening on')) {
    announced = true;
    const url = /BASE_URL (\S+)\)/.exec(chunk)?.[1] ?? '';
    console.log(
      [
        '',
        `  Keyserver:  ${url}   (health: ${url}/healthz)`,
        `  Extension:  ${extensionDir}`,
        '              Chromium: chrome://extensions -> Developer mode -> Load unpacked -> that folder',
        '              Firefox:  npm run build:firefox, then about:debugging -> Load Temporary Add-on',
        '',
        '  Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
});

// Forward Ctrl-C / SIGTERM to the keyserver and leave with its exit code once it has shut down.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => keyserver.kill(signal));
}
keyserver.once('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 0 : 1)));
