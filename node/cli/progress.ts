/**
 * A progress line on standard error for large files, only when it is a terminal (scripts and logs get none):
 * "Encrypting: 45% (460 of 1024 MiB), 312 MB/s". Redrawn at most five times a second, from the byte counts
 * reported as the file is read, so it needs no timer.
 */
const MIN_BYTES = 16 * 1024 * 1024;
const REDRAW_MS = 200;

export interface Progress {
  advance(bytes: number): void;
  done(): void;
}

export function startProgress(label: string, total: number | undefined, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || (total !== undefined && total < MIN_BYTES)) {
    return { advance() {}, done() {} };
  }
  const started = performance.now();
  let seen = 0;
  let drawn = 0;
  let shown = false;
  const mib = (n: number) => Math.round(n / 1024 / 1024);
  const draw = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? `, ${Math.round(seen / 1e6 / seconds)} MB/s` : '';
    const amount =
      total === undefined
        ? `${mib(seen)} MiB`
        : `${Math.floor((seen / Math.max(total, 1)) * 100)}% (${mib(seen)} of ${mib(total)} MiB)`;
    process.stderr.write(`\r${label}: ${amount}${rate}\u001b[K`);
    shown = true;
  };
  return {
    advance(bytes) {
      seen += bytes;
      const now = performance.now();
      if (now - drawn >= REDRAW_MS && seen >= MIN_BYTES) {
        drawn = now;
        draw();
      }
    },
    done() {
      if (shown) {
        draw();
        process.stderr.write('\n');
      }
    },
  };
}
