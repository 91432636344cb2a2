import { join } from 'node:path';
import type { Store } from '../ports';
import { createSqliteBindingStore } from './sqlite-binding-store';
import { openSqliteDatabase, settled } from './sqlite-database';
import { createSqliteEscrowStore } from './sqlite-escrow-store';
import { createSqliteKeyStore } from './sqlite-key-store';
import { createSqliteLegacyStore } from './sqlite-legacy-store';
import { createSqliteMailQueueStore } from './sqlite-mail-queue-store';
import { createSqliteRateLimitStore } from './sqlite-rate-limit-store';
import { createSqliteTokenStore } from './sqlite-token-store';

/**
 * The embedded default store: one SQLite file in DATA_DIR (or ':memory:'). Several keyserver processes may share
 * the file: every write is one statement or one BEGIN IMMEDIATE transaction, so they serialise on SQLite's lock.
 */
export function openSqliteStore(dataDir: string): Store {
  const db = openSqliteDatabase(dataDir === ':memory:' ? ':memory:' : join(dataDir, 'keyward.sqlite'));
  return {
    keys: createSqliteKeyStore(db),
    bindings: createSqliteBindingStore(db),
    tokens: createSqliteTokenStore(db),
    rateLimits: createSqliteRateLimitStore(db),
    escrow: createSqliteEscrowStore(db),
    mailQueue: createSqliteMailQueueStore(db),
    legacy: createSqliteLegacyStore(db),
    ping: () => settled(() => void db.prepare('SELECT 1').get()),
    close: () => settled(() => void db.close()),
  };
}
