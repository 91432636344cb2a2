import { Binary, type Db } from 'mongodb';
import { Email, Fingerprint, KeyId } from '../../../shared/identity';
import type { KeyStore, StoredKey } from '../ports';

interface KeyDoc {
  _id: string; // the fingerprint
  version: 4 | 6;
  keyIds: string[];
  emails: string[];
  packets: Binary;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null; // a Date only while no address is published: the TTL index forgets the upload then
  revision?: number | null; // absent on documents written before compare-and-swap: read as 0
}

export async function createMongoKeyStore(db: Db): Promise<KeyStore> {
  const keys = db.collection<KeyDoc>('keys');
  await keys.createIndexes([
    { key: { keyIds: 1 }, name: 'keyIds' },
    {
      key: { expiresAt: 1 },
      name: 'expiresAt_ttl',
      expireAfterSeconds: 0,
      partialFilterExpression: { expiresAt: { $type: 'date' } }, // published keys (null) are never indexed or expired
    },
  ]);

  return {
    async putKey(key) {
      const doc: KeyDoc = {
        _id: key.fingerprint,
        version: key.version,
        keyIds: key.keyIds,
        emails: key.emails,
        packets: new Binary(key.packets),
        createdAt: new Date(key.createdAt),
        updatedAt: new Date(key.updatedAt),
        expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt),
        revision: key.revision + 1,
      };
      if (key.revision === 0) {
        // Not stored yet, or stored before revisions existed (no field; `null` matches a missing field). A
        // concurrent writer that got there first makes the upsert collide on _id: that writer won.
        try {
          const r = await keys.replaceOne({ _id: doc._id, revision: { $in: [0, null] } }, doc, {
            upsert: true,
          });
          return r.matchedCount === 1 || r.upsertedCount === 1;
        } catch (e) {
          if ((e as { code?: number }).code === 11000) return false;
          throw e;
        }
      }
      return (await keys.replaceOne({ _id: doc._id, revision: key.revision }, doc)).matchedCount === 1;
    },
    async getKey(fingerprint) {
      const doc = await keys.findOne({ _id: fingerprint });
      return doc && toStoredKey(doc);
    },
    async findByKeyId(keyId) {
      return (await keys.find({ keyIds: keyId }).sort({ _id: 1 }).toArray()).map(toStoredKey);
    },
    async deleteKey(fingerprint) {
      return (await keys.deleteOne({ _id: fingerprint })).deletedCount > 0;
    },
    async deleteExpiredKeys(now) {
      return (await keys.deleteMany({ expiresAt: { $lte: new Date(now) } })).deletedCount;
    },
    async listFingerprints(after, limit) {
      if (limit <= 0) return []; // MongoDB reads limit(0) as "no limit"
      const docs = await keys
        .find(after === null ? {} : { _id: { $gt: after } }, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => Fingerprint.parse(d._id));
    },
    countKeys() {
      return keys.countDocuments();
    },
  };
}

function toStoredKey(doc: KeyDoc): StoredKey {
  return {
    fingerprint: Fingerprint.parse(doc._id),
    version: doc.version === 6 ? 6 : 4,
    keyIds: doc.keyIds.map((id) => KeyId.parse(id)),
    emails: doc.emails.map((e) => Email.parse(e)),
    packets: new Uint8Array(doc.packets.value()),
    createdAt: doc.createdAt.getTime(),
    updatedAt: doc.updatedAt.getTime(),
    expiresAt: doc.expiresAt?.getTime() ?? null,
    revision: doc.revision ?? 0,
  };
}
