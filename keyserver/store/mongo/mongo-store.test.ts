import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe } from 'vitest';
import { describeStoreContract } from '../store-contract';
import { openMongoStore } from './mongo-store';

// No MongoDB server can be installed on the development and CI machines (Debian ships none and MongoDB's downloads
// are unreachable), so this runs only against a server you point it at:
//   MONGODB_URI=mongodb://127.0.0.1:27017 npx vitest run keyserver/store/mongo
// Each test gets its own database, named at random for this run; all of them are dropped afterwards.
const uri = process.env.MONGODB_URI;
const run = randomBytes(4).toString('hex');
const databases: string[] = [];

describe.skipIf(!uri)('MongoDB store', () => {
  afterAll(async () => {
    const client = await MongoClient.connect(uri!);
    try {
      for (const name of databases) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  });

  describeStoreContract('MongoDB store', () => {
    const name = `keyward_test_${run}_${databases.length}`;
    databases.push(name);
    return openMongoStore(uri!, name);
  });
});
