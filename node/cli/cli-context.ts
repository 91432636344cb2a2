import { homedir } from 'node:os';
import { join } from 'node:path';
import { LOOKUP_SOURCES, type LookupSource } from '../../shared/recipients/key-lookup';
import { fileKeyring } from '../file-keyring';
import { createKeyward, type Keyward } from '../keyward-client';
import { UsageError } from './exit-codes';

/** Options every command that touches the keyring or looks keys up takes (and their environment variables). */
export const COMMON_OPTIONS = {
  keyring: { type: 'string' },
  keyserver: { type: 'string' },
  sources: { type: 'string' },
} as const;

export const COMMON_HELP = `
Keyring and lookups (every command that uses them):
  --keyring FILE     the pinned keyring (env KEYWARD_KEYRING; default
                     $XDG_CONFIG_HOME/keyward/keyring.json, else ~/.config/keyward/keyring.json)
  --keyserver URL    a Keyward keyserver to look addresses up on (env KEYWARD_KEYSERVER)
  --sources LIST     where to look, in order, comma-separated: keyserver, wkd, keys.openpgp.org
                     (env KEYWARD_SOURCES; default: all three, keyserver only with --keyserver)`;

export interface CommonValues {
  keyring?: string | undefined;
  keyserver?: string | undefined;
  sources?: string | undefined;
}

export function keyringPath(values: CommonValues): string {
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return values.keyring ?? process.env.KEYWARD_KEYRING ?? join(config, 'keyward', 'keyring.json');
}

export function keywardFrom(values: CommonValues): Keyward {
  const keyserverUrl = values.keyserver ?? process.env.KEYWARD_KEYSERVER;
  if (keyserverUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(keyserverUrl)) {
    throw new UsageError(
      `--keyserver must be an http:// or https:// URL; got ${JSON.stringify(keyserverUrl)}.`,
    );
  }
  const list = values.sources ?? process.env.KEYWARD_SOURCES;
  let sources: LookupSource[] | undefined;
  if (list !== undefined) {
    sources = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean) as LookupSource[];
    const unknown = sources.find((s) => !LOOKUP_SOURCES.includes(s));
    if (unknown)
      throw new UsageError(
        `Unknown lookup source ${JSON.stringify(unknown)}; use ${LOOKUP_SOURCES.join(', ')}.`,
      );
    if (sources.includes('keyserver') && !keyserverUrl) {
      throw new UsageError(
        'The sources include keyserver: give its URL with --keyserver or KEYWARD_KEYSERVER.',
      );
    }
  }
  return createKeyward({
    keyring: fileKeyring(keyringPath(values)),
    ...(keyserverUrl ? { keyserverUrl } : {}),
    ...(sources ? { sources } : {}),
  });
}
