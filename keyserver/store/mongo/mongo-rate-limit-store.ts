import type { Db } from 'mongodb';
import { fixedWindow, rateDecision } from '../fixed-window';
import type { RateLimitStore } from '../ports';
import { retryOnDuplicateKey } from './retry-on-duplicate-key';

interface RateLimitDoc {
  _id: string; // `${key}@${windowStart}`
  count: number;
  expiresAt: Date; // the window's end: the TTL index drops ended windows
}

export async function createMongoRateLimitStore(db: Db): Promise<RateLimitStore> {
  const rateLimits = db.collection<RateLimitDoc>('rateLimits');
  await rateLimits.createIndex({ expiresAt: 1 }, { name: 'expiresAt_ttl', expireAfterSeconds: 0 });

  return {
    async hit(key, limit, windowMs, now, hits = 1) {
      const window = fixedWindow(now, windowMs);
      // One atomic increment-and-read, shared by every keyserver process.
      const doc = await retryOnDuplicateKey(() =>
        rateLimits.findOneAndUpdate(
          { _id: `${key}@${window.start}` },
          { $inc: { count: hits }, $setOnInsert: { expiresAt: new Date(window.end) } },
          { upsert: true, returnDocument: 'after' },
        ),
      );
      return rateDecision(doc?.count ?? hits, limit, window.end, now);
    },
  };
}
