import { resolve } from 'node:path';
import { LOOKUP_SOURCES, type LookupSource } from 'keyward/node';

/** The example's settings, from the environment (README.md lists them). */
export function recordsConfig(env: NodeJS.ProcessEnv = process.env) {
  const passphrase = env.SERVICE_KEY_PASSPHRASE;
  if (!passphrase) {
    throw new Error('Set SERVICE_KEY_PASSPHRASE: it locks the service key kept in DATA_DIR/service-key.asc.');
  }
  const sources = (env.LOOKUP_SOURCES ?? LOOKUP_SOURCES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as LookupSource[];
  return {
    port: Number(env.PORT ?? 8090),
    dataDir: resolve(env.DATA_DIR ?? './data/records'),
    keyserverUrl: env.KEYSERVER_URL ?? 'http://127.0.0.1:8080',
    sources,
    /** Unset: a stand-in API is started in this process. */
    dataApiUrl: env.DATA_API_URL,
    serviceAddress: env.SERVICE_ADDRESS ?? 'records@example.org',
    passphrase,
  };
}
