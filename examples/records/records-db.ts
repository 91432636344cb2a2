import Database from 'better-sqlite3';
import type { KeyringStore } from 'keyward/node';

export interface StoredRecord {
  readonly id: string;
  readonly email: string;
  /** The record as the user's key opens it: an OpenPGP file. The database holds no plaintext. */
  readonly ciphertext: Buffer;
  /** The fingerprint of the key it was encrypted to. */
  readonly recipient: string;
  readonly createdAt: number;
  /** When the user last released it to the service (metadata only; the service keeps no copy). */
  readonly releasedAt: number | null;
}

/**
 * The app's database, SQLite: records (ciphertext only) and the pinned keyring of Keyward, kept here as one JSON
 * row so it is backed up and restored with the records it protects.
 */
export function openRecordsDb(path: string) {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE IF NOT EXISTS records (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL,
      ciphertext BLOB NOT NULL,
      recipient TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      released_at INTEGER
    );
    CREATE TABLE IF NOT EXISTS keyring (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
  `);
  const insert = db.prepare(
    'INSERT INTO records (id, email, ciphertext, recipient, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[string], Record<string, unknown>>('SELECT * FROM records WHERE id = ?');
  const released = db.prepare('UPDATE records SET released_at = ? WHERE id = ?');
  const loadKeyring = db.prepare<[], { json: string }>('SELECT json FROM keyring WHERE id = 1');
  const saveKeyring = db.prepare(
    'INSERT INTO keyring (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json',
  );

  const keyring: KeyringStore = {
    load() {
      const row = loadKeyring.get();
      return Promise.resolve(row ? (JSON.parse(row.json) as unknown) : undefined);
    },
    save(data) {
      saveKeyring.run(JSON.stringify(data));
      return Promise.resolve();
    },
  };

  return {
    keyring,
    insert(record: Omit<StoredRecord, 'releasedAt'>): void {
      insert.run(record.id, record.email, record.ciphertext, record.recipient, record.createdAt);
    },
    get(id: string): StoredRecord | undefined {
      const row = byId.get(id);
      if (!row) return undefined;
      return {
        id: row.id as string,
        email: row.email as string,
        ciphertext: row.ciphertext as Buffer,
        recipient: row.recipient as string,
        createdAt: row.created_at as number,
        releasedAt: row.released_at as number | null,
      };
    },
    markReleased(id: string, at: number): void {
      released.run(at, id);
    },
    close: () => db.close(),
  };
}

export type RecordsDb = ReturnType<typeof openRecordsDb>;
