import type Database from 'better-sqlite3';
import { Email, Fingerprint } from '../../../shared/identity';
import type { EscrowAccount, EscrowAccountStore, ReleaseAuditStore, ReleaseRecord } from '../escrow-ports';
import { settled } from './sqlite-database';

interface AccountRow {
  address: string;
  registration_record: string;
  profile: string;
  fingerprint: string;
  escrow: string;
  recovery_verifier_hash: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export function createSqliteEscrowAccountStore(db: Database.Database): EscrowAccountStore {
  const insert = db.prepare(`
    INSERT INTO escrow_accounts (address, registration_record, profile, fingerprint, escrow, recovery_verifier_hash,
      version, created_at, updated_at)
    VALUES (@address, @registrationRecord, @profile, @fingerprint, @escrow, @recoveryVerifierHash, 1, @createdAt,
      @updatedAt)
    ON CONFLICT (address) DO NOTHING`);
  const insertDevice = db.prepare(
    'INSERT OR IGNORE INTO escrow_devices (address, hash, created_at) VALUES (?, ?, ?)',
  );
  const get = db.prepare<[string], AccountRow>('SELECT * FROM escrow_accounts WHERE address = ?');
  // One statement compares and swaps: two writers of one version (even in two processes) cannot both match.
  const update = db.prepare<Record<string, unknown>, { version: number }>(`
    UPDATE escrow_accounts SET escrow = @escrow,
      registration_record = coalesce(@registrationRecord, registration_record),
      profile = coalesce(@profile, profile),
      recovery_verifier_hash = coalesce(@recoveryVerifierHash, recovery_verifier_hash),
      updated_at = @updatedAt, version = version + 1
    WHERE address = @address AND version = @expectedVersion
    RETURNING version`);
  const remove = db.prepare('DELETE FROM escrow_accounts WHERE address = ?');
  const hasDevice = db.prepare('SELECT 1 FROM escrow_devices WHERE address = ? AND hash = ?');

  const create = db.transaction((account: Omit<EscrowAccount, 'version'>, deviceHash: string) => {
    if (insert.run(account).changes === 0) return false;
    insertDevice.run(account.address, deviceHash, account.createdAt);
    return true;
  });
  const addDevice = db.transaction((address: string, hash: string, now: number) => {
    if (!get.get(address)) return false;
    insertDevice.run(address, hash, now);
    return true;
  });

  return {
    create: (account, deviceHash) => settled(() => create.immediate(account, deviceHash)),
    get: (address) =>
      settled(() => {
        const row = get.get(address);
        return row ? toAccount(row) : null;
      }),
    update: (address, expectedVersion, change) =>
      settled(
        () =>
          update.get({
            address,
            expectedVersion,
            escrow: change.escrow,
            registrationRecord: change.registrationRecord ?? null,
            profile: change.profile ?? null,
            recoveryVerifierHash: change.recoveryVerifierHash ?? null,
            updatedAt: change.updatedAt,
          })?.version ?? null,
      ),
    delete: (address) => settled(() => remove.run(address).changes > 0),
    addDevice: (address, hash, now) => settled(() => addDevice.immediate(address, hash, now)),
    hasDevice: (address, hash) => settled(() => hasDevice.get(address, hash) !== undefined),
  };
}

export function createSqliteReleaseAuditStore(db: Database.Database): ReleaseAuditStore {
  // Only for an existing account: the foreign key refuses a record of a deleted one.
  const insert = db.prepare(
    'INSERT INTO escrow_releases (address, at, kind, client, new_device) VALUES (?, ?, ?, ?, ?)',
  );
  const list = db.prepare<
    [string],
    { address: string; at: number; kind: string; client: string; new_device: number }
  >('SELECT * FROM escrow_releases WHERE address = ? ORDER BY at, rowid');
  return {
    record: (r) => settled(() => void insert.run(r.address, r.at, r.kind, r.client, r.newDevice ? 1 : 0)),
    list: (address) =>
      settled(() =>
        list.all(address).map((row): ReleaseRecord => ({
          address: Email.parse(row.address),
          at: row.at,
          kind: row.kind === 'recovery' ? 'recovery' : 'passphrase',
          client: row.client,
          newDevice: row.new_device === 1,
        })),
      ),
  };
}

function toAccount(row: AccountRow): EscrowAccount {
  return {
    address: Email.parse(row.address),
    registrationRecord: row.registration_record,
    profile: row.profile,
    fingerprint: Fingerprint.parse(row.fingerprint),
    escrow: row.escrow,
    recoveryVerifierHash: row.recovery_verifier_hash,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
