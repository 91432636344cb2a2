import type Database from 'better-sqlite3';
import { Email, Fingerprint, KeyId } from '../../../shared/identity';
import type { KeyStore, StoredKey } from '../ports';
import { settled } from './sqlite-database';

interface KeyRow {
  fingerprint: string;
  version: number;
  emails: string;
  packets: Buffer;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  revision: number;
  key_ids: string;
}

// One query shape for every read: the key row with its key ids folded in, in their stored order.
const SELECT_KEY = `
  SELECT k.*, (SELECT json_group_array(key_id ORDER BY position) FROM key_ids WHERE fingerprint = k.fingerprint)
    AS key_ids
  FROM keys k`;

export function createSqliteKeyStore(db: Database.Database): KeyStore {
  const upsertKey = db.prepare(`
    INSERT INTO keys (fingerprint, version, emails, packets, created_at, updated_at, expires_at, revision)
    VALUES (@fingerprint, @version, @emails, @packets, @createdAt, @updatedAt, @expiresAt, @revision + 1)
    ON CONFLICT (fingerprint) DO UPDATE SET version = excluded.version, emails = excluded.emails,
      packets = excluded.packets, created_at = excluded.created_at, updated_at = excluded.updated_at,
      expires_at = excluded.expires_at, revision = excluded.revision`);
  const currentRevision = db.prepare<[string], { revision: number }>(
    'SELECT revision FROM keys WHERE fingerprint = ?',
  );
  const deleteKeyIds = db.prepare('DELETE FROM key_ids WHERE fingerprint = ?');
  const insertKeyId = db.prepare('INSERT INTO key_ids (fingerprint, position, key_id) VALUES (?, ?, ?)');
  const getKey = db.prepare<[string], KeyRow>(`${SELECT_KEY} WHERE k.fingerprint = ?`);
  const byKeyId = db.prepare<[string], KeyRow>(
    `${SELECT_KEY} WHERE k.fingerprint IN (SELECT fingerprint FROM key_ids WHERE key_id = ?) ORDER BY k.fingerprint`,
  );
  const deleteKey = db.prepare('DELETE FROM keys WHERE fingerprint = ?');
  const deleteExpired = db.prepare('DELETE FROM keys WHERE expires_at IS NOT NULL AND expires_at <= ?');
  const list = db.prepare<[string, number], { fingerprint: string }>(
    'SELECT fingerprint FROM keys WHERE fingerprint > ? ORDER BY fingerprint LIMIT ?',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM keys');

  const put = db.transaction((key: StoredKey): boolean => {
    if ((currentRevision.get(key.fingerprint)?.revision ?? 0) !== key.revision) return false;
    upsertKey.run({ ...key, emails: JSON.stringify(key.emails), packets: Buffer.from(key.packets) });
    deleteKeyIds.run(key.fingerprint);
    key.keyIds.forEach((id, i) => insertKeyId.run(key.fingerprint, i, id));
    return true;
  });

  return {
    putKey: (key) => settled(() => put.immediate(key)),
    getKey: (fingerprint) =>
      settled(() => {
        const row = getKey.get(fingerprint);
        return row ? toStoredKey(row) : null;
      }),
    findByKeyId: (keyId) => settled(() => byKeyId.all(keyId).map(toStoredKey)),
    deleteKey: (fingerprint) => settled(() => deleteKey.run(fingerprint).changes > 0),
    deleteExpiredKeys: (now) => settled(() => deleteExpired.run(now).changes),
    // '' sorts before every fingerprint; a negative LIMIT would mean none in SQLite.
    listFingerprints: (after, limit) =>
      settled(() =>
        (limit > 0 ? list.all(after ?? '', limit) : []).map((r) => Fingerprint.parse(r.fingerprint)),
      ),
    countKeys: () => settled(() => count.get()!.n),
  };
}

function toStoredKey(row: KeyRow): StoredKey {
  return {
    fingerprint: Fingerprint.parse(row.fingerprint),
    version: row.version === 6 ? 6 : 4,
    keyIds: (JSON.parse(row.key_ids) as string[]).map((id) => KeyId.parse(id)),
    emails: (JSON.parse(row.emails) as string[]).map((e) => Email.parse(e)),
    packets: new Uint8Array(row.packets), // a plain copy, not a Node Buffer
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    revision: row.revision,
  };
}
