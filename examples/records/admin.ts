import { join } from 'node:path';
import { createKeyward } from 'keyward/node';
import { recordsConfig } from './records-config';
import { openRecordsDb } from './records-db';

// The operator's decisions on the app's keyring (kept in its database):
//   node --import tsx examples/records/admin.ts keys list
//   node --import tsx examples/records/admin.ts keys accept|reject ADDRESS
// A key change stops sign-ups for that address until the operator, having compared fingerprints with the
// person, accepts or rejects the new key. (The keyward command does the same for keyrings kept in files.)

const [group, action, address] = process.argv.slice(2);
const config = recordsConfig({ SERVICE_KEY_PASSPHRASE: 'not needed here', ...process.env });
const db = openRecordsDb(join(config.dataDir, 'records.sqlite'));
const keyward = createKeyward({
  keyring: db.keyring,
  keyserverUrl: config.keyserverUrl,
  sources: config.sources,
});
try {
  if (group !== 'keys')
    throw new Error('usage: admin.ts keys list | keys accept ADDRESS | keys reject ADDRESS');
  if (action === 'list') console.log(JSON.stringify(await keyward.keys.list(), null, 2));
  else if ((action === 'accept' || action === 'reject') && address) {
    console.log(`${address}: pinned to ${(await keyward.keys[action](address)).pinned}`);
  } else throw new Error('usage: admin.ts keys list | keys accept ADDRESS | keys reject ADDRESS');
} finally {
  db.close();
}
