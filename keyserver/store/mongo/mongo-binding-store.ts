import type { Db } from 'mongodb';
import { Email, Fingerprint } from '../../../shared/identity';
import { wkdHash } from '../../../shared/wkd';
import type { Binding, BindingStore } from '../ports';
import { retryOnDuplicateKey } from './retry-on-duplicate-key';

interface BindingDoc {
  email: string;
  fingerprint: string;
  publishedAt: Date;
  /** The address's domain and the WKD hash of its local part: WKD requests without ?l= name it by these. */
  wkdDomain?: string;
  wkdHash?: string;
}

const wkdFields = (email: string) => ({
  wkdDomain: Email.domain(email as Email),
  wkdHash: wkdHash(Email.localPart(email as Email)),
});

export async function createMongoBindingStore(db: Db): Promise<BindingStore> {
  const bindings = db.collection<BindingDoc>('bindings');
  await bindings.createIndexes([
    { key: { email: 1 }, name: 'email_unique', unique: true }, // one published key per address
    { key: { fingerprint: 1 }, name: 'fingerprint' },
    { key: { wkdDomain: 1, wkdHash: 1 }, name: 'wkd' },
  ]);
  // Bindings written before the WKD fields existed get them once; every start checks, finding none after that.
  for await (const doc of bindings.find({ wkdHash: { $exists: false } }, { projection: { email: 1 } })) {
    await bindings.updateOne({ _id: doc._id, wkdHash: { $exists: false } }, { $set: wkdFields(doc.email) });
  }

  return {
    async publish({ email, fingerprint, publishedAt }) {
      // One atomic upsert; the unique index turns a concurrent first publish into E11000, never a second binding.
      const old = await retryOnDuplicateKey(() =>
        bindings.findOneAndUpdate(
          { email },
          { $set: { fingerprint, publishedAt: new Date(publishedAt), ...wkdFields(email) } },
          { upsert: true, returnDocument: 'before', projection: { fingerprint: 1 } },
        ),
      );
      const replaced = old && old.fingerprint !== fingerprint ? Fingerprint.parse(old.fingerprint) : null;
      return { replaced };
    },
    async unpublish(email, fingerprint) {
      const result = await bindings.deleteOne(fingerprint === undefined ? { email } : { email, fingerprint });
      return result.deletedCount > 0;
    },
    async byEmail(email) {
      const doc = await bindings.findOne({ email });
      return doc && toBinding(doc);
    },
    async byFingerprint(fingerprint) {
      return (await bindings.find({ fingerprint }).sort({ email: 1 }).toArray()).map(toBinding);
    },
    async byWkdHash(domain, hash) {
      return (await bindings.find({ wkdDomain: domain, wkdHash: hash }).sort({ email: 1 }).toArray()).map(
        toBinding,
      );
    },
  };
}

function toBinding(doc: BindingDoc): Binding {
  return {
    email: Email.parse(doc.email),
    fingerprint: Fingerprint.parse(doc.fingerprint),
    publishedAt: doc.publishedAt.getTime(),
  };
}
