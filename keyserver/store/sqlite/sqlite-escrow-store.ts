import type Database from 'better-sqlite3';
import { Email } from '../../../shared/identity';
import type { CodePurpose, EscrowStore, GuessState, RelaySlot } from '../escrow-ports';
import { createSqliteEscrowAccountStore, createSqliteReleaseAuditStore } from './sqlite-escrow-account-store';
import { settled } from './sqlite-database';

/**
 * The escrow's records in the embedded SQLite file. Every check-and-change is one statement or one BEGIN IMMEDIATE
 * transaction, so processes sharing the file serialise on SQLite's write lock.
 */
export function createSqliteEscrowStore(db: Database.Database): EscrowStore {
  const codes = {
    upsert: db.prepare(`
      INSERT INTO escrow_codes (address, purpose, hash, attempts, created_at, expires_at)
      VALUES (@address, @purpose, @hash, 0, @createdAt, @expiresAt)
      ON CONFLICT (address, purpose) DO UPDATE SET hash = excluded.hash, attempts = 0,
        created_at = excluded.created_at, expires_at = excluded.expires_at`),
    take: db.prepare(
      'DELETE FROM escrow_codes WHERE address = ? AND purpose = ? AND hash = ? AND expires_at > ? RETURNING 1',
    ),
    miss: db.prepare(
      'UPDATE escrow_codes SET attempts = attempts + 1 WHERE address = ? AND purpose = ? RETURNING attempts',
    ),
    drop: db.prepare('DELETE FROM escrow_codes WHERE address = ? AND purpose = ?'),
  };
  const consumeCode = db.transaction(
    (address: string, purpose: CodePurpose, hash: string, now: number, maxAttempts: number) => {
      if (codes.take.get(address, purpose, hash, now)) return true;
      const row = codes.miss.get(address, purpose) as { attempts: number } | undefined;
      if (row && row.attempts >= maxAttempts) codes.drop.run(address, purpose);
      return false;
    },
  );

  const logins = {
    put: db.prepare(
      'INSERT INTO escrow_logins (hash, address, server_state, expires_at) VALUES (?, ?, ?, ?)',
    ),
    take: db.prepare<[string, number], { address: string; server_state: string; expires_at: number }>(
      'DELETE FROM escrow_logins WHERE hash = ? AND expires_at > ? RETURNING *',
    ),
  };
  const sessions = {
    put: db.prepare('INSERT INTO escrow_sessions (hash, kind, address, expires_at) VALUES (?, ?, ?, ?)'),
    find: db.prepare<[string, number], { kind: string; address: string; expires_at: number }>(
      'SELECT * FROM escrow_sessions WHERE hash = ? AND expires_at > ?',
    ),
    revoke: db.prepare('DELETE FROM escrow_sessions WHERE hash = ?'),
    revokeAll: db.prepare('DELETE FROM escrow_sessions WHERE address = ?'),
  };

  // A window still running keeps counting; an ended one restarts at this guess. One statement: atomic.
  const hitGuess = db.prepare<GuessParams, GuessRow>(`
    INSERT INTO escrow_guesses (address, window_start, count, expires_at) VALUES (@address, @now, 1, @now + @retain)
    ON CONFLICT (address) DO UPDATE SET
      count = CASE WHEN window_start + @window <= @now THEN 1 ELSE count + 1 END,
      window_start = CASE WHEN window_start + @window <= @now THEN @now ELSE window_start END,
      expires_at = max(expires_at, @now + @retain)
    RETURNING count, window_start, locked_until, lockouts`);
  const lockGuess = db.prepare(`
    UPDATE escrow_guesses SET lockouts = lockouts + 1, locked_until = @until,
      expires_at = max(expires_at, @until + @retain)
    WHERE address = @address AND lockouts = @expected`);

  const relay = {
    put: db.prepare(`
      INSERT INTO escrow_relay (channel, slot, payload, expires_at) VALUES (@channel, @slot, @payload, @expiresAt)
      ON CONFLICT (channel, slot) DO UPDATE SET payload = excluded.payload, expires_at = excluded.expires_at
        WHERE escrow_relay.expires_at <= @now`),
    find: db.prepare<[string, string, number], { payload: string }>(
      'SELECT payload FROM escrow_relay WHERE channel = ? AND slot = ? AND payload IS NOT NULL AND expires_at > ?',
    ),
    clear: db.prepare('UPDATE escrow_relay SET payload = NULL WHERE channel = ? AND slot = ?'),
  };
  const takeRelay = db.transaction((channel: string, slot: string, now: number) => {
    const row = relay.find.get(channel, slot, now);
    if (row) relay.clear.run(channel, slot);
    return row?.payload ?? null;
  });

  const expiring = ['escrow_codes', 'escrow_logins', 'escrow_sessions', 'escrow_guesses', 'escrow_relay'].map(
    (table) => db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`),
  );
  const deleteExpired = db.transaction((now: number) =>
    expiring.reduce((n, statement) => n + statement.run(now).changes, 0),
  );

  return {
    accounts: createSqliteEscrowAccountStore(db),
    releases: createSqliteReleaseAuditStore(db),
    codes: {
      issue: (c) => settled(() => void codes.upsert.run(c)),
      consume: (address, purpose, hash, now, maxAttempts) =>
        settled(() => consumeCode.immediate(address, purpose, hash, now, maxAttempts)),
    },
    logins: {
      put: (s) => settled(() => void logins.put.run(s.hash, s.address, s.serverLoginState, s.expiresAt)),
      take: (hash, now) =>
        settled(() => {
          const row = logins.take.get(hash, now);
          return row
            ? {
                hash,
                address: Email.parse(row.address),
                serverLoginState: row.server_state,
                expiresAt: row.expires_at,
              }
            : null;
        }),
    },
    sessions: {
      issue: (s) => settled(() => void sessions.put.run(s.hash, s.kind, s.address, s.expiresAt)),
      find: (hash, now) =>
        settled(() => {
          const row = sessions.find.get(hash, now);
          if (!row) return null;
          const kind = row.kind === 'recovery' ? 'recovery' : 'session';
          return { hash, kind, address: Email.parse(row.address), expiresAt: row.expires_at };
        }),
      revoke: (hash) => settled(() => void sessions.revoke.run(hash)),
      revokeAll: (address) => settled(() => void sessions.revokeAll.run(address)),
    },
    guesses: {
      hit: (address, now, windowMs, retainMs) =>
        settled(() => toGuessState(hitGuess.get({ address, now, window: windowMs, retain: retainMs })!)),
      lock: (address, expected, lockedUntil, retainMs) =>
        settled(
          () => lockGuess.run({ address, expected, until: lockedUntil, retain: retainMs }).changes === 1,
        ),
    },
    relay: {
      put: (channel, slot: RelaySlot, payload, now, expiresAt) =>
        settled(() => relay.put.run({ channel, slot, payload, now, expiresAt }).changes === 1),
      take: (channel, slot, now) => settled(() => takeRelay.immediate(channel, slot, now)),
    },
    deleteExpired: (now) => settled(() => deleteExpired.immediate(now)),
  };
}

interface GuessParams {
  address: string;
  now: number;
  window: number;
  retain: number;
}

interface GuessRow {
  count: number;
  window_start: number;
  locked_until: number;
  lockouts: number;
}

function toGuessState(row: GuessRow): GuessState {
  return {
    count: row.count,
    windowStart: row.window_start,
    lockedUntil: row.locked_until,
    lockouts: row.lockouts,
  };
}
