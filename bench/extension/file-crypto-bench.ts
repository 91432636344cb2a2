/**
 * File encryption and decryption in Chromium through the extension's own code path, next to raw WebCrypto
 * AES-256-GCM over the same bytes in the same browser and to GnuPG on the same file, all in the same run.
 *
 * - Keyward encrypt: a file picked on an opted-in page, until the page's input holds the `.pgp` (content script ->
 *   background -> openpgp.js streaming -> spool file -> back to the page).
 * - Keyward decrypt: the same file's ciphertext (made and signed by shared/openpgp with the same key, as an upload
 *   would be) chosen in the decrypt page, until it offers the verified result (signature checked).
 * - WebCrypto: the file read in 4 MiB slices and each encrypted with AES-256-GCM, one at a time (the ceiling for
 *   anything in a browser), in a page of a site that is not opted in.
 * - GnuPG: `gpg -e` / `gpg -d` of the same file, no compression, to a Curve25519 key.
 *
 * Peak memory is the browser's (PSS of all its processes) during each Keyward run, over its level just before.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encryptFile } from '../../shared/openpgp';
import { makeTestKey } from '../../tests/fixtures/test-keys';
import { askBackground } from '../../tests/e2e/harness/ask-background';
import { browserMemoryBytes, sampleBrowserMemory } from '../../tests/e2e/harness/browser-memory';
import { launchExtension } from '../../tests/e2e/harness/launch-extension';
import { writeRandomFile } from '../../tests/e2e/harness/random-file';

const MiB = 1024 * 1024;
const SIZES_MIB = (process.env.BENCH_FILE_MIB ?? '16,256,1024').split(',').map(Number);

export interface FileCryptoRow {
  [column: string]: string | number;
  size: string;
  operation: string;
  'Keyward MB/s': number;
  'WebCrypto GCM MB/s': number;
  'GnuPG MB/s': number;
  'ratio to WebCrypto': number;
  'ratio to GnuPG': number;
  'peak memory +MiB': number;
}

const mbps = (bytes: number, ms: number) => Number((bytes / 1e6 / (ms / 1000)).toFixed(1));

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export async function benchFileCrypto(): Promise<FileCryptoRow[]> {
  const work = await mkdtemp(join(tmpdir(), 'keyward-bench-files-'));
  const gnupgHome = join(work, 'gnupg');
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<input type="file" id="file"><script>
      document.getElementById('file').addEventListener('change', (e) => {
        const f = e.target.files[0];
        document.title = 'picked ' + f.name + ' ' + f.size;
      });
    </script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const optedIn = `http://127.0.0.1:${port}`;
  const reference = `http://localhost:${port}`; // another host: not opted in, so the input is left alone
  const ext = await launchExtension();
  const rows: FileCryptoRow[] = [];
  try {
    const key = await makeTestKey({ email: 'bench@example.org', date: new Date() });
    await askBackground(ext, 'vault.import', { data: key.privateKeyArmored, passphrase: key.passphrase });
    await askBackground(ext, 'sites.setEnabled', { origin: optedIn, enabled: true });
    execFileSync('mkdir', ['-m', '700', gnupgHome]);
    const gpg = (...args: string[]) =>
      execFileSync('gpg', ['--homedir', gnupgHome, '--batch', '--yes', '--quiet', ...args], {
        stdio: 'pipe',
      });
    gpg('--passphrase', '', '--quick-gen-key', 'Bench <gpg-bench@example.org>', 'future-default', 'default');

    const page = await ext.context.newPage();
    const decryptPage = await ext.openExtensionPage('decrypt.html');
    const referencePage = await ext.context.newPage();
    await referencePage.goto(reference);

    for (const sizeMiB of SIZES_MIB) {
      const bytes = sizeMiB * MiB;
      const plainPath = join(work, `file-${sizeMiB}.bin`);
      await writeRandomFile(plainPath, bytes);
      const cipherPath = join(work, `file-${sizeMiB}.bin.pgp`);
      const encrypted = await encryptFile({
        plaintext: Readable.toWeb(createReadStream(plainPath)) as ReadableStream<Uint8Array>,
        recipients: [key.publicKeyArmored],
        date: new Date(),
        filename: `file-${sizeMiB}.bin`,
        signingKey: key.unlocked, // signed, as Keyward's uploads are: decrypting checks the signature too
      });
      await pipeline(Readable.fromWeb(encrypted.ciphertext as never), createWriteStream(cipherPath));

      // Keyward encrypt, through the opted-in page.
      await page.goto(optedIn);
      let before = await browserMemoryBytes(ext.profileDir);
      let sampler = sampleBrowserMemory(ext.profileDir);
      const encryptMs = await (async () => {
        const start = performance.now();
        await page.setInputFiles('#file', plainPath);
        await page.waitForFunction(() => document.title.startsWith('picked'), undefined, {
          timeout: 600_000,
          polling: 20,
        });
        return performance.now() - start;
      })();
      const encryptPeak = (await sampler.stop()) - before;
      const pickedName = await page.title();
      if (!pickedName.includes('.pgp')) throw new Error(`the page got ${pickedName}, not the ciphertext`);

      // Keyward decrypt, in the decrypt page.
      await decryptPage.reload();
      before = await browserMemoryBytes(ext.profileDir);
      sampler = sampleBrowserMemory(ext.profileDir);
      const decryptMs = await (async () => {
        const start = performance.now();
        await decryptPage.setInputFiles('#file', cipherPath);
        await decryptPage.getByText('Decrypted with').waitFor({ timeout: 600_000 });
        return performance.now() - start;
      })();
      const decryptPeak = (await sampler.stop()) - before;

      // WebCrypto AES-256-GCM over the same bytes, in 4 MiB slices, one at a time.
      await referencePage.setInputFiles('#file', plainPath);
      const webCryptoMs = await referencePage.evaluate(async () => {
        const file = (document.getElementById('file') as HTMLInputElement).files![0]!;
        const gcmKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
        const start = performance.now();
        const slice = 4 * 1024 * 1024;
        for (let at = 0; at < file.size; at += slice) {
          const data = await file.slice(at, at + slice).arrayBuffer();
          const iv = crypto.getRandomValues(new Uint8Array(12));
          await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, gcmKey, data);
        }
        return performance.now() - start;
      });

      const gpgOut = join(work, 'gpg.out');
      const gpgEncryptMs = timed(() =>
        gpg(
          '--compress-algo',
          'none',
          '--trust-model',
          'always',
          '-r',
          'gpg-bench@example.org',
          '-o',
          gpgOut,
          '-e',
          plainPath,
        ),
      );
      const gpgDecryptMs = timed(() => gpg('-o', join(work, 'gpg.plain'), '-d', gpgOut));
      await rm(join(work, 'gpg.plain'));
      await rm(gpgOut);

      const webCrypto = mbps(bytes, webCryptoMs);
      for (const [operation, ms, gpgMs, peak] of [
        ['encrypt', encryptMs, gpgEncryptMs, encryptPeak],
        ['decrypt', decryptMs, gpgDecryptMs, decryptPeak],
      ] as const) {
        const keyward = mbps(bytes, ms);
        rows.push({
          size: `${sizeMiB} MiB`,
          operation,
          'Keyward MB/s': keyward,
          'WebCrypto GCM MB/s': webCrypto,
          'GnuPG MB/s': mbps(bytes, gpgMs),
          'ratio to WebCrypto': Number((keyward / webCrypto).toFixed(2)),
          'ratio to GnuPG': Number((keyward / mbps(bytes, gpgMs)).toFixed(2)),
          'peak memory +MiB': Math.round(peak / MiB),
        });
      }
      await rm(plainPath);
      await rm(cipherPath);
    }
  } finally {
    await ext.close();
    server.close();
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}
