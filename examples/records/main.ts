import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createKeyward, publishKey } from 'keyward/node';
import { recordsConfig } from './records-config';
import { createRecordsApp } from './records-app';
import { openRecordsDb } from './records-db';
import { loadServiceKey } from './service-key';
import { startThirdPartyApi } from './third-party-api';

// The records example's composition root: `node --import tsx examples/records/main.ts` (README.md).
// With --publish-key it uploads the service key to the keyserver and asks it to mail SERVICE_ADDRESS a link.

const config = recordsConfig();
mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
const serviceKey = await loadServiceKey({
  dir: config.dataDir,
  address: config.serviceAddress,
  passphrase: config.passphrase,
  date: new Date(),
});

if (process.argv.includes('--publish-key')) {
  const { fingerprint, status } = await publishKey({
    keyserverUrl: config.keyserverUrl,
    publicKey: serviceKey.publicKey,
    addresses: [config.serviceAddress],
  });
  console.log(`service key ${fingerprint} uploaded to ${config.keyserverUrl}: ${JSON.stringify(status)}`);
  console.log(`confirm it with the link mailed to ${config.serviceAddress}`);
  process.exit(0);
}

const db = openRecordsDb(join(config.dataDir, 'records.sqlite'));
const standIn = config.dataApiUrl ? null : await startThirdPartyApi();
const keyward = createKeyward({
  keyring: db.keyring,
  keyserverUrl: config.keyserverUrl,
  sources: config.sources,
});
const app = createRecordsApp({ db, keyward, serviceKey, dataApiUrl: config.dataApiUrl ?? standIn!.url });
const server = app.listen(config.port, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`records example listening on http://127.0.0.1:${port} (data in ${config.dataDir})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void standIn?.close();
    db.close();
  });
}
