import { MongoClient } from 'mongodb';
import type { Store } from '../ports';
import { createMongoBindingStore } from './mongo-binding-store';
import { createMongoEscrowStore } from './mongo-escrow-store';
import { createMongoKeyStore } from './mongo-key-store';
import { createMongoLegacyStore } from './mongo-legacy-store';
import { createMongoMailQueueStore } from './mongo-mail-queue-store';
import { createMongoRateLimitStore } from './mongo-rate-limit-store';
import { createMongoTokenStore } from './mongo-token-store';

/**
 * The scale-out store: several stateless keyserver processes share one MongoDB database. Invariants live in unique
 * indexes and expiry in TTL indexes, created (idempotently) at start.
 */
export async function openMongoStore(uri: string, dbName: string): Promise<Store> {
  const client = new MongoClient(uri, { appName: 'keyward-keyserver' });
  await client.connect();
  try {
    const db = client.db(dbName);
    const [keys, bindings, tokens, rateLimits, escrow, mailQueue, legacy] = await Promise.all([
      createMongoKeyStore(db),
      createMongoBindingStore(db),
      createMongoTokenStore(db),
      createMongoRateLimitStore(db),
      createMongoEscrowStore(db),
      createMongoMailQueueStore(db),
      createMongoLegacyStore(db),
    ]);
    return {
      keys,
      bindings,
      tokens,
      rateLimits,
      escrow,
      mailQueue,
      legacy,
      async ping() {
        await db.command({ ping: 1 });
      },
      close: () => client.close(),
    };
  } catch (e) {
    await client.close();
    throw e;
  }
}
