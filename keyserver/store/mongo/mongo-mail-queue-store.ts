import { Binary, type Db } from 'mongodb';
import { Email } from '../../../shared/identity';
import type { FailedMail, MailQueueStore, QueuedMail } from '../mail-queue-ports';

interface MailDoc {
  _id: string;
  state: 'pending' | 'failed';
  to: string;
  subject: string;
  text?: string; // unset once failed: it holds live links and codes
  encryptTo?: Binary | null;
  createdAt: Date;
  expiresAt: Date;
  attempts: number;
  dueAt: Date;
  lease: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
  failedAt?: Date;
  keepUntil?: Date; // set on failed mails only: the TTL index forgets them then
}

/**
 * The mail queue in MongoDB. A claim is one findOneAndUpdate per mail (atomic on the document), so concurrent
 * claimers in any number of processes never take the same mail while a lease holds it.
 */
export async function createMongoMailQueueStore(db: Db): Promise<MailQueueStore> {
  const mails = db.collection<MailDoc>('mailQueue');
  await mails.createIndexes([
    { key: { state: 1, dueAt: 1 }, name: 'state_dueAt' },
    { key: { state: 1, createdAt: 1 }, name: 'state_createdAt' },
    {
      key: { keepUntil: 1 },
      name: 'keepUntil_ttl',
      expireAfterSeconds: 0,
      partialFilterExpression: { keepUntil: { $type: 'date' } }, // pending mails have none and never expire here
    },
  ]);

  return {
    async enqueue(mail) {
      await mails.insertOne({
        _id: mail.id,
        state: 'pending',
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        encryptTo: mail.encryptTo && new Binary(mail.encryptTo),
        createdAt: new Date(mail.createdAt),
        expiresAt: new Date(mail.expiresAt),
        attempts: 0,
        dueAt: new Date(mail.createdAt),
        lease: null,
        leaseUntil: null,
        lastError: null,
      });
    },
    async claim({ now, leaseMs, lease, limit, id }) {
      const at = new Date(now);
      const claimed: QueuedMail[] = [];
      while (claimed.length < limit) {
        const doc = await mails.findOneAndUpdate(
          {
            ...(id === undefined ? {} : { _id: id }),
            state: 'pending',
            dueAt: { $lte: at },
            $or: [{ leaseUntil: null }, { leaseUntil: { $lte: at } }],
          },
          { $set: { lease, leaseUntil: new Date(now + leaseMs) }, $inc: { attempts: 1 } },
          { sort: { dueAt: 1, createdAt: 1 }, returnDocument: 'after' },
        );
        if (!doc) break;
        claimed.push(toQueuedMail(doc));
      }
      return claimed;
    },
    async complete(id, lease) {
      return (await mails.deleteOne({ _id: id, lease, state: 'pending' })).deletedCount > 0;
    },
    async retry(id, lease, dueAt, error) {
      const r = await mails.updateOne(
        { _id: id, lease, state: 'pending' },
        { $set: { dueAt: new Date(dueAt), lastError: error, lease: null, leaseUntil: null } },
      );
      return r.matchedCount > 0;
    },
    async fail(id, lease, failedAt, error, keepUntil) {
      const r = await mails.updateOne(
        { _id: id, lease, state: 'pending' },
        {
          $set: {
            state: 'failed',
            lastError: error,
            failedAt: new Date(failedAt),
            keepUntil: new Date(keepUntil),
            lease: null,
            leaseUntil: null,
          },
          $unset: { text: '', encryptTo: '' },
        },
      );
      return r.matchedCount > 0;
    },
    async pending() {
      const [count, oldest] = await Promise.all([
        mails.countDocuments({ state: 'pending' }),
        mails.findOne({ state: 'pending' }, { sort: { createdAt: 1 } }),
      ]);
      return {
        count,
        oldest: oldest && {
          createdAt: oldest.createdAt.getTime(),
          attempts: oldest.attempts,
          lastError: oldest.lastError,
        },
      };
    },
    async failures(limit) {
      if (limit <= 0) return []; // MongoDB reads limit(0) as "no limit"
      const docs = await mails
        .find({ state: 'failed' })
        .sort({ failedAt: -1, _id: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toFailedMail);
    },
    async deleteExpiredFailures(now) {
      return (await mails.deleteMany({ state: 'failed', keepUntil: { $lte: new Date(now) } })).deletedCount;
    },
  };
}

function toQueuedMail(doc: MailDoc): QueuedMail {
  return {
    id: doc._id,
    to: Email.parse(doc.to),
    subject: doc.subject,
    text: doc.text ?? '',
    encryptTo: doc.encryptTo ? new Uint8Array(doc.encryptTo.value()) : null,
    createdAt: doc.createdAt.getTime(),
    expiresAt: doc.expiresAt.getTime(),
    attempts: doc.attempts,
    dueAt: doc.dueAt.getTime(),
    lastError: doc.lastError,
  };
}

function toFailedMail(doc: MailDoc): FailedMail {
  return {
    id: doc._id,
    to: Email.parse(doc.to),
    subject: doc.subject,
    createdAt: doc.createdAt.getTime(),
    failedAt: doc.failedAt?.getTime() ?? 0,
    attempts: doc.attempts,
    lastError: doc.lastError ?? '',
  };
}
