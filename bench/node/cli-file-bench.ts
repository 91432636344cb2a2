/**
 * The `keyward` command against GnuPG 2.2 on the same file in the same run (docs/benchmarks.md, "The keyward
 * command"). Alone: `node --import tsx bench/node/cli-file-bench.ts`; `npm run bench` runs it last.
 *
 * - One random file (BENCH_CLI_MIB, default 1024 MiB) in a temporary folder, in the page cache for every run.
 * - One recipient for both: a Keyward v4 key (Ed25519 + X25519, advertising SEIPDv2), its private key unprotected
 *   in one file both programs read (no passphrase: see below). Keyward writes SEIPDv2 AES-256-GCM (256 KiB
 *   chunks); GnuPG 2.2 writes SEIPDv1 (AES-256 CFB with a SHA-1 MDC) and ignores the SEIPDv2 feature. GnuPG with
 *   `-z 0`: the data is random, so compression would only cost time.
 * - Each operation as a whole process, file to file (`-o`), timed from spawn to exit, including start-up (about
 *   0.3 s), the command as an installed copy runs it (the bundle of scripts/build-node.ts). Unsigned, then signed
 *   with that key (encrypt) and checked (decrypt). No passphrase: unlocking a key is a fixed cost per run, done
 *   differently by each (GnuPG in its agent, which caches it), that says nothing about files. The gpg-agent is
 *   started before timing; its CPU time during each run is counted as GnuPG's.
 * - BENCH_CLI_RUNS runs of each (default 3), alternating the two programs; the median is reported. Peak RSS is the
 *   process's maximum resident set (GNU time's %M); gpg-agent's memory is not counted.
 * - Ratio: GnuPG's time over Keyward's (above 1: Keyward is faster), wall time, and CPU time (user + system) beside
 *   it, which other work on a shared machine disturbs less.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNode } from '../../scripts/build-node';
import { generateKey, unlockKey } from '../../shared/openpgp';

/** The command as an installed copy runs it: the bundle `npm pack` builds (scripts/build-node.ts). */
const BUNDLE_DIR = fileURLToPath(new URL('../../node_modules/.cache/keyward-cli-bench/', import.meta.url));
const BIN = join(BUNDLE_DIR, 'keyward.js');
const PASSPHRASE = 'bench passphrase';

export interface CliBenchRow {
  operation: string;
  'Keyward s': number;
  'Keyward MB/s': number;
  'GnuPG s': number;
  'GnuPG MB/s': number;
  'ratio to GnuPG': number;
  'Keyward CPU s': number;
  'GnuPG CPU s': number;
  'CPU ratio': number;
  'Keyward peak RSS MiB': number;
  'GnuPG peak RSS MiB': number;
}

interface Timing {
  ms: number;
  /** User plus system CPU time: less disturbed than wall time by others' work on a shared machine. */
  cpuMs: number;
  rssMiB: number;
}

/** Runs a command under GNU time; resolves with the wall time, the CPU time and the peak RSS. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'maxrss %M cpu %U %S', command, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const m = /maxrss (\d+) cpu ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !m)
        return reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${stderr}`));
      resolve({ ms, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, rssMiB: Math.round(Number(m[1]) / 1024) });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function benchCliFiles(): Promise<{ rows: CliBenchRow[]; mib: number }> {
  const mib = Number(process.env.BENCH_CLI_MIB ?? 1024);
  const runs = Number(process.env.BENCH_CLI_RUNS ?? 3);
  await buildNode(BUNDLE_DIR);
  const work = mkdtempSync(join(tmpdir(), 'keyward-cli-bench-'));
  const gnupgHome = mkdtempSync(join(tmpdir(), 'kw-gpg-'));
  try {
    const plain = join(work, 'plain.bin');
    const fd = openSync(plain, 'w');
    const piece = new Uint8Array(16 * 1024 * 1024);
    for (let written = 0; written < mib * 1024 * 1024; written += piece.length)
      writeSync(fd, randomFillSync(piece));
    closeSync(fd);
    const plainHash = sha256(plain);

    const made = await generateKey({
      name: 'Bench',
      email: 'bench@example.org',
      passphrase: PASSPHRASE,
      date: new Date(Date.now() - 60_000),
    });
    const keyFile = join(work, 'bench.sec.asc');
    // Unprotected, for both: unlocking a key is a fixed cost per run that says nothing about files, and each
    // program does it its own way (GnuPG in its agent, with a cache). The public-key step is still timed.
    writeFileSync(keyFile, await unlockKey(made.privateKeyArmored, PASSPHRASE));
    writeFileSync(join(work, 'bench.pub.asc'), made.publicKeyArmored);
    const fingerprint = made.summary.fingerprint;

    const { BASE_URL: _vite, ...inherited } = process.env;
    const env = {
      ...inherited,
      KEYWARD_KEYRING: join(work, 'keyring.json'),
      KEYWARD_SOURCES: '',
    };
    execFileSync(process.execPath, [BIN, 'keys', 'import', join(work, 'bench.pub.asc')], {
      env,
      stdio: 'ignore',
    });
    const gpg = ['--homedir', gnupgHome, '--batch', '--yes', '--quiet', '--pinentry-mode', 'loopback'];
    execFileSync('gpg', [...gpg, '--import', keyFile], { stdio: 'ignore' });
    // Starts the agent before timing; its CPU time is added to GnuPG's, since it decrypts session keys and signs.
    execFileSync(
      'gpg',
      [...gpg, '--trust-model', 'always', '-e', '-r', fingerprint, '-o', join(work, 'warm.gpg')],
      {
        input: 'warm',
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    const agent = (...commands: string[]) =>
      execFileSync('gpg-connect-agent', ['--homedir', gnupgHome, ...commands, '/bye'], { encoding: 'utf8' });
    const agentPid = Number(/^D (\d+)/m.exec(agent('getinfo pid'))?.[1]);
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    const agentCpuMs = () => {
      const fields = readFileSync(`/proc/${agentPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000; // utime, stime (proc(5) fields 14, 15)
    };

    const keyward = (args: string[]) => timed(process.execPath, [BIN, ...args, '-q'], env);
    const gnupg = async (args: string[]) => {
      const before = agentCpuMs();
      const timing = await timed('gpg', [...gpg, ...args], env);
      return { ...timing, cpuMs: timing.cpuMs + agentCpuMs() - before };
    };
    const out = (name: string) => {
      const path = join(work, name);
      rmSync(path, { force: true }); // never timed: replacing a 1 GiB file costs the kernel a while
      return path;
    };

    const operations: {
      name: string;
      keyward: () => Promise<Timing>;
      gnupg: () => Promise<Timing>;
      check?: () => void;
    }[] = [];
    for (const signed of [false, true]) {
      const kw = `kw${signed ? '-signed' : ''}.pgp`;
      const gp = `gpg${signed ? '-signed' : ''}.gpg`;
      operations.push({
        name: signed ? 'encrypt + sign' : 'encrypt',
        keyward: () =>
          keyward([
            'encrypt',
            '--offline',
            '--to',
            'bench@example.org',
            ...(signed ? ['--sign-with', keyFile] : []),
            '-o',
            out(kw),
            plain,
          ]),
        gnupg: () =>
          gnupg([
            '-z',
            '0',
            '--trust-model',
            'always',
            signed ? '-se' : '-e',
            '-r',
            fingerprint,
            '-o',
            out(gp),
            plain,
          ]),
      });
      operations.push({
        name: signed ? 'decrypt + verify' : 'decrypt',
        keyward: () =>
          keyward([
            'decrypt',
            '--key',
            keyFile,
            ...(signed ? ['--signer', join(work, 'bench.pub.asc')] : []),
            '-o',
            out('kw.out'),
            join(work, kw),
          ]),
        gnupg: () => gnupg(['-d', '-o', out('gpg.out'), join(work, gp)]),
        check: () => {
          for (const name of ['kw.out', 'gpg.out']) {
            if (sha256(join(work, name)) !== plainHash) throw new Error(`${name} is not the original file`);
          }
        },
      });
    }

    const rows: CliBenchRow[] = [];
    for (const op of operations) {
      const k: Timing[] = [];
      const g: Timing[] = [];
      for (let run = 0; run < runs; run++) {
        k.push(await op.keyward());
        g.push(await op.gnupg());
      }
      op.check?.();
      if (process.env.BENCH_VERBOSE) console.log(op.name, { keyward: k, gnupg: g });
      const [kMs, gMs] = [median(k.map((r) => r.ms)), median(g.map((r) => r.ms))];
      const mbps = (ms: number) => Number(((mib * 1024 * 1024) / 1e6 / (ms / 1000)).toFixed(0));
      rows.push({
        operation: op.name,
        'Keyward s': Number((kMs / 1000).toFixed(2)),
        'Keyward MB/s': mbps(kMs),
        'GnuPG s': Number((gMs / 1000).toFixed(2)),
        'GnuPG MB/s': mbps(gMs),
        'ratio to GnuPG': Number((gMs / kMs).toFixed(2)),
        'Keyward CPU s': Number((median(k.map((r) => r.cpuMs)) / 1000).toFixed(2)),
        'GnuPG CPU s': Number((median(g.map((r) => r.cpuMs)) / 1000).toFixed(2)),
        'CPU ratio': Number((median(g.map((r) => r.cpuMs)) / median(k.map((r) => r.cpuMs))).toFixed(2)),
        'Keyward peak RSS MiB': Math.max(...k.map((r) => r.rssMiB)),
        'GnuPG peak RSS MiB': Math.max(...g.map((r) => r.rssMiB)),
      });
    }
    return { rows, mib };
  } finally {
    try {
      execFileSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all'], { stdio: 'ignore' });
    } catch {
      // no agent was started
    }
    rmSync(work, { recursive: true, force: true });
    rmSync(gnupgHome, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, mib } = await benchCliFiles();
  console.log(
    `keyward command vs GnuPG 2.2, ${mib} MiB file, median of ${process.env.BENCH_CLI_RUNS ?? 3} runs`,
  );
  console.table(rows);
}
