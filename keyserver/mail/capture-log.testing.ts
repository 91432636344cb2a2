import pino, { type Logger } from 'pino';

/** Test helper: a pino logger writing to memory, to check what reaches the log (and what must not). */
export function captureLog(): { log: Logger; entries: () => Record<string, unknown>[]; raw: () => string } {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return {
    log,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    raw: () => lines.join(''),
  };
}
