import { systemClock } from '../../shared/clock';
import { Fingerprint } from '../../shared/identity';
import { ConfigError, loadConfig } from '../config';
import { keyLimitsFrom } from '../keys';
import { createLogger } from '../logger';
import { openStore } from '../store/open-store';
import { createAdminCommands } from './admin-commands';

const USAGE = `Usage: npm run admin -- <command>

Commands:
  delete <fingerprint>   unpublish every address of the key and delete it
  repurify               apply the current key policy to every stored key
  mail-failures          list the mails the mail queue gave up on (the last 7 days)

The store is the one the keyserver uses (DATA_DIR or MONGODB_URI from the environment).`;

/** The operator's command line; reads the same environment as the keyserver. */
async function main(args: string[]): Promise<number> {
  const [command, arg] = args;
  if (command !== 'delete' && command !== 'repurify' && command !== 'mail-failures') {
    console.error(USAGE);
    return 64; // EX_USAGE
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return 78;
  }
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const store = await openStore(config);
  try {
    const admin = createAdminCommands({ store, clock: systemClock, log, keyLimits: keyLimitsFrom(config) });
    if (command === 'delete') {
      const fingerprint = Fingerprint.tryParse(arg ?? '');
      if (!fingerprint) {
        console.error('Give the full fingerprint (40 or 64 hex digits) of the key to delete.');
        return 64;
      }
      const { deleted, unpublished } = await admin.deleteKey(fingerprint);
      console.log(
        deleted
          ? `Deleted ${fingerprint}; unpublished: ${unpublished.join(', ') || 'none'}.`
          : `No key ${fingerprint}.`,
      );
      return deleted ? 0 : 1;
    }
    if (command === 'mail-failures') {
      const failures = await admin.mailFailures();
      for (const f of failures) {
        console.log(
          `${new Date(f.failedAt).toISOString()}  ${f.to}  "${f.subject}"  ${f.attempts} attempts  ${f.lastError}`,
        );
      }
      console.log(`${failures.length} mail${failures.length === 1 ? '' : 's'} given up on.`);
      return 0;
    }
    const t = await admin.repurifyAll();
    console.log(
      `Checked ${t.checked} keys: ${t.changed} changed, ${t.deleted} deleted, ${t.unpublished} addresses unpublished.`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
