import type { ParseArgsConfig } from 'node:util';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** One `keyward` command: its options, its help, and what it does (returns the exit code). */
export interface Command {
  readonly name: string;
  /** One line for `keyward --help`. */
  readonly summary: string;
  /** `keyward <name> --help`: usage, what it does, options, exit codes that matter for it. */
  readonly help: string;
  readonly options: OptionsConfig;
  /** How many positional arguments it takes. */
  readonly positionals: { readonly min: number; readonly max: number };
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** Writes a line for people (and scripts reading text) to standard output. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes a report line to standard error (standard output may be carrying a file). */
export function note(line: string): void {
  process.stderr.write(`keyward: ${line}\n`);
}
