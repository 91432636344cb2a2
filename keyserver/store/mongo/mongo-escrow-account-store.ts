import type { Db } from 'mongodb';
import { Email, Fingerprint } from '../../../shared/identity';
import type { EscrowAccount, EscrowAccountStore, ReleaseAuditStore, ReleaseRecord } from '../escrow-ports';

interface AccountDoc {
  _id: string; // the address
  registrationRecord: string;
  profile: string;
  fingerprint: string;
  escrow: string;
  recoveryVerifierHash: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  devices: string[]; // device token hashes; a handful per account
}

interface ReleaseDoc {
  address: string;
  at: Date;
  kind: 'passphrase' | 'recovery';
  client: string;
  newDevice: boolean;
}

export async function createMongoEscrowAccountStore(
  db: Db,
): Promise<{ accounts: EscrowAccountStore; releases: ReleaseAuditStore }> {
  const accounts = db.collection<AccountDoc>('escrowAccounts');
  const releases = db.collection<ReleaseDoc>('escrowReleases');
  await releases.createIndex({ address: 1, at: 1 }, { name: 'address_at' });

  const accountStore: EscrowAccountStore = {
    async create(account, deviceHash) {
      const { address, createdAt, updatedAt, ...rest } = account;
      try {
        // _id is the address: of two concurrent creations the second collides (E11000) and loses.
        await accounts.insertOne({
          _id: address,
          ...rest,
          createdAt: new Date(createdAt),
          updatedAt: new Date(updatedAt),
          version: 1,
          devices: [deviceHash],
        });
        return true;
      } catch (e) {
        if ((e as { code?: number }).code === 11000) return false;
        throw e;
      }
    },
    async get(address) {
      const doc = await accounts.findOne({ _id: address }, { projection: { devices: 0 } });
      return doc && toAccount(doc);
    },
    async update(address, expectedVersion, change) {
      const set: Partial<AccountDoc> = { escrow: change.escrow, updatedAt: new Date(change.updatedAt) };
      if (change.registrationRecord !== undefined) set.registrationRecord = change.registrationRecord;
      if (change.profile !== undefined) set.profile = change.profile;
      if (change.recoveryVerifierHash !== undefined) set.recoveryVerifierHash = change.recoveryVerifierHash;
      // The filter names the version: one document update compares and swaps atomically.
      const doc = await accounts.findOneAndUpdate(
        { _id: address, version: expectedVersion },
        { $set: set, $inc: { version: 1 } },
        { returnDocument: 'after', projection: { version: 1 } },
      );
      return doc?.version ?? null;
    },
    async delete(address) {
      const deleted = (await accounts.deleteOne({ _id: address })).deletedCount > 0;
      await releases.deleteMany({ address });
      return deleted;
    },
    async addDevice(address, hash) {
      return (
        (await accounts.updateOne({ _id: address }, { $addToSet: { devices: hash } })).matchedCount === 1
      );
    },
    async hasDevice(address, hash) {
      return (await accounts.countDocuments({ _id: address, devices: hash }, { limit: 1 })) > 0;
    },
  };

  const releaseStore: ReleaseAuditStore = {
    async record(r) {
      await releases.insertOne({ ...r, at: new Date(r.at) });
    },
    async list(address) {
      const docs = await releases.find({ address }).sort({ at: 1, _id: 1 }).toArray();
      return docs.map((d): ReleaseRecord => ({
        address: Email.parse(d.address),
        at: d.at.getTime(),
        kind: d.kind,
        client: d.client,
        newDevice: d.newDevice,
      }));
    },
  };
  return { accounts: accountStore, releases: releaseStore };
}

function toAccount(doc: Omit<AccountDoc, 'devices'>): EscrowAccount {
  return {
    address: Email.parse(doc._id),
    registrationRecord: doc.registrationRecord,
    profile: doc.profile,
    fingerprint: Fingerprint.parse(doc.fingerprint),
    escrow: doc.escrow,
    recoveryVerifierHash: doc.recoveryVerifierHash,
    version: doc.version,
    createdAt: doc.createdAt.getTime(),
    updatedAt: doc.updatedAt.getTime(),
  };
}
