import type { Db } from 'mongodb';
import { Email, Fingerprint } from '../../../shared/identity';
import type { TokenPurpose, TokenRecord, TokenStore } from '../ports';
import { retryOnDuplicateKey } from './retry-on-duplicate-key';

interface TokenDoc {
  hash: string;
  purpose: TokenPurpose;
  email: string;
  fingerprint: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function createMongoTokenStore(db: Db): Promise<TokenStore> {
  const tokens = db.collection<TokenDoc>('tokens');
  // Before tokens were per (address, key) the unique index was (purpose, email): drop it where it still exists.
  await tokens.dropIndex('purpose_email_unique').catch((e: { codeName?: string }) => {
    if (e.codeName !== 'IndexNotFound' && e.codeName !== 'NamespaceNotFound') throw e;
  });
  await tokens.createIndexes([
    { key: { hash: 1 }, name: 'hash_unique', unique: true },
    // At most one live token per purpose, address and key: issuing replaces the older one in one atomic upsert,
    // with no delete-then-insert window (and no multi-document transaction, which needs a replica set).
    { key: { purpose: 1, email: 1, fingerprint: 1 }, name: 'purpose_email_fingerprint_unique', unique: true },
    { key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 },
  ]);

  return {
    async issue(token) {
      const doc: TokenDoc = {
        hash: token.hash,
        purpose: token.purpose,
        email: token.email,
        fingerprint: token.fingerprint,
        createdAt: new Date(token.createdAt),
        expiresAt: new Date(token.expiresAt),
      };
      await retryOnDuplicateKey(() =>
        tokens.replaceOne(
          { purpose: token.purpose, email: token.email, fingerprint: token.fingerprint },
          doc,
          {
            upsert: true,
          },
        ),
      );
    },
    async consume(hash, now) {
      // Find, check and delete in one operation: of concurrent consumers exactly one gets the document.
      const doc = await tokens.findOneAndDelete({ hash, expiresAt: { $gt: new Date(now) } });
      return doc && toToken(doc);
    },
    async peek(hash, now) {
      const doc = await tokens.findOne({ hash, expiresAt: { $gt: new Date(now) } });
      return doc && toToken(doc);
    },
    async hasActive(purpose, email, fingerprint, now) {
      const filter = { purpose, email, fingerprint, expiresAt: { $gt: new Date(now) } };
      return (await tokens.countDocuments(filter, { limit: 1 })) > 0;
    },
    async deleteExpiredTokens(now) {
      return (await tokens.deleteMany({ expiresAt: { $lte: new Date(now) } })).deletedCount;
    },
  };
}

function toToken(doc: TokenDoc): TokenRecord {
  return {
    hash: doc.hash,
    purpose: doc.purpose,
    email: Email.parse(doc.email),
    fingerprint: Fingerprint.parse(doc.fingerprint),
    createdAt: doc.createdAt.getTime(),
    expiresAt: doc.expiresAt.getTime(),
  };
}
