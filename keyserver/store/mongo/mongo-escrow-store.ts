import type { Db } from 'mongodb';
import { Email } from '../../../shared/identity';
import type { CodePurpose, EscrowStore, SessionKind } from '../escrow-ports';
import { createMongoEscrowAccountStore } from './mongo-escrow-account-store';
import { retryOnDuplicateKey } from './retry-on-duplicate-key';

interface CodeDoc {
  _id: string; // `${purpose}:${address}`: one live code per purpose and address
  hash: string;
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
}
interface LoginDoc {
  _id: string; // hash of the login id
  address: string;
  serverLoginState: string;
  expiresAt: Date;
}
interface SessionDoc {
  _id: string; // hash of the token
  kind: SessionKind;
  address: string;
  expiresAt: Date;
}
interface GuessDoc {
  _id: string; // the address
  count: number;
  windowStart: number;
  lockedUntil: number;
  lockouts: number;
  expiresAt: Date;
}
interface RelayDoc {
  _id: string; // `${channel}/${slot}`
  payload: string | null; // null once picked up: the slot stays taken until it expires
  expiresAt: Date;
}

const ttl = { key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 } as const;

/** The escrow's records in MongoDB: single-document atomic updates, unique _ids and TTL indexes for expiry. */
export async function createMongoEscrowStore(db: Db): Promise<EscrowStore> {
  const codes = db.collection<CodeDoc>('escrowCodes');
  const logins = db.collection<LoginDoc>('escrowLogins');
  const sessions = db.collection<SessionDoc>('escrowSessions');
  const guesses = db.collection<GuessDoc>('escrowGuesses');
  const relay = db.collection<RelayDoc>('escrowRelay');
  const [{ accounts, releases }] = await Promise.all([
    createMongoEscrowAccountStore(db),
    ...[codes, logins, guesses, relay].map((c) => c.createIndexes([ttl])),
    sessions.createIndexes([ttl, { key: { address: 1 }, name: 'address' }]),
  ]);
  const codeId = (address: string, purpose: CodePurpose) => `${purpose}:${address}`;

  return {
    accounts,
    releases,
    codes: {
      async issue(c) {
        const doc = {
          hash: c.hash,
          attempts: 0,
          createdAt: new Date(c.createdAt),
          expiresAt: new Date(c.expiresAt),
        };
        await retryOnDuplicateKey(() =>
          codes.replaceOne({ _id: codeId(c.address, c.purpose) }, doc, { upsert: true }),
        );
      },
      async consume(address, purpose, hash, now, maxAttempts) {
        const _id = codeId(address, purpose);
        const live = { _id, expiresAt: { $gt: new Date(now) } };
        if (await codes.findOneAndDelete({ ...live, hash })) return true;
        await codes.updateOne(live, { $inc: { attempts: 1 } });
        await codes.deleteOne({ _id, attempts: { $gte: maxAttempts } });
        return false;
      },
    },
    logins: {
      async put(s) {
        await logins.insertOne({
          _id: s.hash,
          address: s.address,
          serverLoginState: s.serverLoginState,
          expiresAt: new Date(s.expiresAt),
        });
      },
      async take(hash, now) {
        const doc = await logins.findOneAndDelete({ _id: hash, expiresAt: { $gt: new Date(now) } });
        return doc
          ? {
              hash,
              address: Email.parse(doc.address),
              serverLoginState: doc.serverLoginState,
              expiresAt: doc.expiresAt.getTime(),
            }
          : null;
      },
    },
    sessions: {
      async issue(s) {
        await sessions.insertOne({
          _id: s.hash,
          kind: s.kind,
          address: s.address,
          expiresAt: new Date(s.expiresAt),
        });
      },
      async find(hash, now) {
        const doc = await sessions.findOne({ _id: hash, expiresAt: { $gt: new Date(now) } });
        return doc
          ? { hash, kind: doc.kind, address: Email.parse(doc.address), expiresAt: doc.expiresAt.getTime() }
          : null;
      },
      async revoke(hash) {
        await sessions.deleteOne({ _id: hash });
      },
      async revokeAll(address) {
        await sessions.deleteMany({ address });
      },
    },
    guesses: {
      async hit(address, now, windowMs, retainMs) {
        // An update pipeline reads the old document in one atomic step: a running window counts on, an ended one
        // (or none) restarts at this guess.
        const ended = {
          $or: [{ $eq: [{ $type: '$windowStart' }, 'missing'] }, { $lte: ['$windowStart', now - windowMs] }],
        };
        const doc = await retryOnDuplicateKey(() =>
          guesses.findOneAndUpdate(
            { _id: address },
            [
              {
                $set: {
                  count: { $cond: [ended, 1, { $add: ['$count', 1] }] },
                  windowStart: { $cond: [ended, now, '$windowStart'] },
                  lockedUntil: { $ifNull: ['$lockedUntil', 0] },
                  lockouts: { $ifNull: ['$lockouts', 0] },
                  expiresAt: { $max: [{ $ifNull: ['$expiresAt', new Date(0)] }, new Date(now + retainMs)] },
                },
              },
            ],
            { upsert: true, returnDocument: 'after' },
          ),
        );
        if (!doc) throw new Error('guess counter upsert returned nothing');
        return {
          count: doc.count,
          windowStart: doc.windowStart,
          lockedUntil: doc.lockedUntil,
          lockouts: doc.lockouts,
        };
      },
      async lock(address, expectedLockouts, lockedUntil, retainMs) {
        const r = await guesses.updateOne({ _id: address, lockouts: expectedLockouts }, [
          {
            $set: {
              lockouts: expectedLockouts + 1,
              lockedUntil,
              expiresAt: { $max: ['$expiresAt', new Date(lockedUntil + retainMs)] },
            },
          },
        ]);
        return r.modifiedCount === 1;
      },
    },
    relay: {
      async put(channel, slot, payload, now, expiresAt) {
        const doc = { payload, expiresAt: new Date(expiresAt) };
        const _id = `${channel}/${slot}`;
        try {
          await relay.insertOne({ _id, ...doc });
          return true;
        } catch (e) {
          if ((e as { code?: number }).code !== 11000) throw e;
          // Taken only while it lives: an expired message the TTL monitor has not removed yet may be replaced.
          return (
            (await relay.replaceOne({ _id, expiresAt: { $lte: new Date(now) } }, doc)).matchedCount === 1
          );
        }
      },
      async take(channel, slot, now) {
        const doc = await relay.findOneAndUpdate(
          { _id: `${channel}/${slot}`, payload: { $ne: null }, expiresAt: { $gt: new Date(now) } },
          { $set: { payload: null } },
          { returnDocument: 'before' },
        );
        return doc?.payload ?? null;
      },
    },
    async deleteExpired(now) {
      const expired = { expiresAt: { $lte: new Date(now) } };
      const counts = await Promise.all(
        [codes, logins, sessions, guesses, relay].map(
          async (c) => (await c.deleteMany(expired)).deletedCount,
        ),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}
