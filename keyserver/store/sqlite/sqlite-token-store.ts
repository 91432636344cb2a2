import type Database from 'better-sqlite3';
import { Email, Fingerprint } from '../../../shared/identity';
import type { TokenRecord, TokenStore } from '../ports';
import { settled } from './sqlite-database';

interface TokenRow {
  hash: string;
  purpose: string;
  email: string;
  fingerprint: string;
  created_at: number;
  expires_at: number;
}

export function createSqliteTokenStore(db: Database.Database): TokenStore {
  const supersede = db.prepare('DELETE FROM tokens WHERE purpose = ? AND email = ? AND fingerprint = ?');
  const insert = db.prepare(`
    INSERT INTO tokens (hash, purpose, email, fingerprint, created_at, expires_at)
    VALUES (@hash, @purpose, @email, @fingerprint, @createdAt, @expiresAt)`);
  // One statement finds, checks and deletes: of two concurrent consumers (even in two processes) one gets the row.
  const consume = db.prepare<[string, number], TokenRow>(
    'DELETE FROM tokens WHERE hash = ? AND expires_at > ? RETURNING *',
  );
  const peek = db.prepare<[string, number], TokenRow>(
    'SELECT * FROM tokens WHERE hash = ? AND expires_at > ?',
  );
  const active = db.prepare<[string, string, string, number]>(
    'SELECT 1 FROM tokens WHERE purpose = ? AND email = ? AND fingerprint = ? AND expires_at > ?',
  );
  const deleteExpired = db.prepare('DELETE FROM tokens WHERE expires_at <= ?');

  const issue = db.transaction((token: TokenRecord) => {
    supersede.run(token.purpose, token.email, token.fingerprint);
    insert.run(token);
  });

  return {
    issue: (token) => settled(() => issue.immediate(token)),
    consume: (hash, now) =>
      settled(() => {
        const row = consume.get(hash, now);
        return row ? toToken(row) : null;
      }),
    peek: (hash, now) =>
      settled(() => {
        const row = peek.get(hash, now);
        return row ? toToken(row) : null;
      }),
    hasActive: (purpose, email, fingerprint, now) =>
      settled(() => active.get(purpose, email, fingerprint, now) !== undefined),
    deleteExpiredTokens: (now) => settled(() => deleteExpired.run(now).changes),
  };
}

function toToken(row: TokenRow): TokenRecord {
  return {
    hash: row.hash,
    purpose: row.purpose === 'unpublish' ? 'unpublish' : 'verify', // the table's CHECK allows only these two
    email: Email.parse(row.email),
    fingerprint: Fingerprint.parse(row.fingerprint),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
