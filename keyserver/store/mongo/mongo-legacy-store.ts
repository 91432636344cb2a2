import type { Db } from 'mongodb';
import type { GrantTerms, HistoryEntry } from '../../../shared/legacy';
import type { AccessRequest, LegacyAuditRecord, LegacyGrant, LegacyStore, Notice } from '../legacy-ports';
import { storedLegacyGrant } from '../stored-legacy-grant';

interface GrantDoc {
  _id: string; // the grant id
  revision: number;
  ownerAddress: string; // terms.ownerAddress and terms.trustedFingerprint again, for the indexes
  trustedFingerprint: string;
  terms: GrantTerms;
  termsSignature: string;
  ownerKey: string;
  trustedKey: string;
  payload: string | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
  request: AccessRequest | null;
  notices: Notice[];
  dueAt: number | null;
  lease: string | null;
  leaseUntil: number | null;
}

interface ChallengeDoc {
  _id: string; // SHA-256 of the challenge
  expiresAt: Date;
}

interface AuditDoc extends HistoryEntry {
  grantId: string;
}

/**
 * Digital legacy in MongoDB. A grant is one document: a put is one update whose filter names the revision (atomic
 * compare-and-swap), a claim one findOneAndUpdate per grant, so no multi-document transactions are needed.
 */
export async function createMongoLegacyStore(db: Db): Promise<LegacyStore> {
  const grants = db.collection<GrantDoc>('legacyGrants');
  const challenges = db.collection<ChallengeDoc>('legacyChallenges');
  const audit = db.collection<AuditDoc>('legacyAudit');
  await Promise.all([
    grants.createIndexes([
      { key: { ownerAddress: 1, createdAt: 1 }, name: 'ownerAddress_createdAt' },
      { key: { trustedFingerprint: 1, createdAt: 1 }, name: 'trustedFingerprint_createdAt' },
      {
        key: { dueAt: 1 },
        name: 'dueAt',
        partialFilterExpression: { dueAt: { $type: 'number' } }, // grants with nothing due stay out of it
      },
    ]),
    challenges.createIndexes([{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }]),
    audit.createIndexes([{ key: { grantId: 1, at: -1 }, name: 'grantId_at' }]),
  ]);

  const fields = (grant: LegacyGrant) => ({
    ownerAddress: grant.terms.ownerAddress,
    trustedFingerprint: grant.terms.trustedFingerprint,
    terms: grant.terms,
    termsSignature: grant.termsSignature,
    ownerKey: grant.ownerKey,
    trustedKey: grant.trustedKey,
    payload: grant.payload,
    createdAt: grant.createdAt,
    updatedAt: grant.updatedAt,
    revokedAt: grant.revokedAt,
    request: grant.request,
    notices: grant.notices,
    dueAt: grant.dueAt,
  });

  return {
    grants: {
      async put(grant) {
        if (grant.revision === 0) {
          try {
            // _id is the grant id: a second creation collides (E11000), also after a revocation (tombstone).
            await grants.insertOne({
              _id: grant.id,
              revision: 1,
              ...fields(grant),
              lease: null,
              leaseUntil: null,
            });
            return true;
          } catch (e) {
            if ((e as { code?: number }).code === 11000) return false;
            throw e;
          }
        }
        // The filter names the revision; the lease is left as it is.
        const r = await grants.updateOne(
          { _id: grant.id, revision: grant.revision },
          { $set: { ...fields(grant), revision: grant.revision + 1 } },
        );
        return r.modifiedCount > 0;
      },
      async get(id) {
        const doc = await grants.findOne({ _id: id });
        return doc && toGrant(doc);
      },
      async byOwner(address) {
        const docs = await grants.find({ ownerAddress: address }).sort({ createdAt: 1, _id: 1 }).toArray();
        return docs.map(toGrant);
      },
      async byTrusted(fingerprint) {
        const docs = await grants
          .find({ trustedFingerprint: fingerprint })
          .sort({ createdAt: 1, _id: 1 })
          .toArray();
        return docs.map(toGrant);
      },
      async claimDue({ now, leaseMs, lease, limit, id }) {
        const claimed: LegacyGrant[] = [];
        while (claimed.length < limit) {
          const doc = await grants.findOneAndUpdate(
            {
              ...(id === undefined ? {} : { _id: id }),
              dueAt: { $lte: now },
              $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
            },
            { $set: { lease, leaseUntil: now + leaseMs } },
            { sort: { dueAt: 1, _id: 1 }, returnDocument: 'after' },
          );
          if (!doc) break;
          claimed.push(toGrant(doc));
        }
        return claimed;
      },
      async release(id, lease) {
        const r = await grants.updateOne({ _id: id, lease }, { $set: { lease: null, leaseUntil: null } });
        return r.matchedCount > 0;
      },
    },
    challenges: {
      async issue(hash, expiresAt) {
        await challenges.insertOne({ _id: hash, expiresAt: new Date(expiresAt) });
      },
      async take(hash, now) {
        // The TTL monitor runs once a minute: the filter, not the monitor, decides what has expired.
        const r = await challenges.deleteOne({ _id: hash, expiresAt: { $gt: new Date(now) } });
        return r.deletedCount > 0;
      },
    },
    audit: {
      async record(entry) {
        await audit.insertOne({ ...entry });
      },
      async list(grantId, limit) {
        if (limit <= 0) return []; // MongoDB reads limit(0) as "no limit"
        // _id (an ObjectId) grows with insertion: ties in `at` come out latest first too.
        const docs = await audit.find({ grantId }).sort({ at: -1, _id: -1 }).limit(limit).toArray();
        return docs.map((d): LegacyAuditRecord => ({
          grantId: d.grantId,
          at: d.at,
          event: d.event,
          actor: d.actor,
          proof: d.proof,
          client: d.client,
          requestId: d.requestId,
        }));
      },
    },
    async deleteExpired(now) {
      return (await challenges.deleteMany({ expiresAt: { $lte: new Date(now) } })).deletedCount;
    },
  };
}

function toGrant(doc: GrantDoc): LegacyGrant {
  return storedLegacyGrant.parse({
    id: doc._id,
    revision: doc.revision,
    terms: doc.terms,
    termsSignature: doc.termsSignature,
    ownerKey: doc.ownerKey,
    trustedKey: doc.trustedKey,
    payload: doc.payload,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    revokedAt: doc.revokedAt,
    request: doc.request,
    notices: doc.notices,
    dueAt: doc.dueAt,
  });
}
