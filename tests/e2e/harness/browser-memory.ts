import { readdir, readFile } from 'node:fs/promises';

/**
 * Memory of one Chromium instance, for tests that must show memory stays flat in file size: the proportional set
 * size (PSS, shared pages split between their users) of the browser process started with `profileDir` and of all
 * its descendants (renderers, the extension's service worker, utility processes), read from Linux's /proc.
 */
export async function browserMemoryBytes(profileDir: string): Promise<number> {
  const processes = await listProcesses();
  const root = processes.find(
    (p) => p.cmdline.includes(`--user-data-dir=${profileDir}`) && !p.cmdline.includes('--type='),
  );
  if (!root) throw new Error(`no Chromium process runs with the profile ${profileDir}`);
  const tree = new Set([root.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of tree) total += await pssBytes(pid);
  return total;
}

/** Samples `browserMemoryBytes` every `everyMs` until `stop` is called; `stop` resolves with the highest sample. */
export function sampleBrowserMemory(profileDir: string, everyMs = 100): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await browserMemoryBytes(profileDir).catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function listProcesses(): Promise<{ pid: number; ppid: number; cmdline: string }[]> {
  const found = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent pid; field 2 (the name, in parentheses) may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      found.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

async function pssBytes(pid: number): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0; // ended meanwhile
  }
}
