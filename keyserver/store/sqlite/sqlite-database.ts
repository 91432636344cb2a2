import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { wkdHash } from '../../../shared/wkd';

/**
 * Opens the embedded store's SQLite file. WAL lets readers run beside the one writer, and a busy timeout lets
 * several keyserver processes share one file (they queue on the write lock instead of failing).
 */
export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    retryWhileBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode; see docs/deploy.md
    db.pragma('foreign_keys = ON');
    // For the migration that indexes existing bindings by WKD hash: SQLite has no SHA-1 or z-base-32 of its own.
    db.function('keyward_wkd_hash', { deterministic: true }, (local: unknown) => wkdHash(String(local)));
    retryWhileBusy(() => migrate(db));
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

const BUSY_RETRY_MS = 5000;

/**
 * Runs `step` again while SQLite answers SQLITE_BUSY, for up to five seconds. The busy timeout covers ordinary
 * waits, but not every one: switching a new file to WAL, or upgrading a read to a write while another process holds
 * the write lock, fails at once (SQLite's deadlock rule). Both happen when several processes start on a new file
 * together. Opening is synchronous and happens once per process, so a blocking sleep is fine here.
 */
function retryWhileBusy<T>(step: () => T): T {
  const deadline = Date.now() + BUSY_RETRY_MS;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return step();
    } catch (e) {
      const busy = e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw e;
      Atomics.wait(sleeper, 0, 0, Math.min(10 * 2 ** attempt, 200) * (0.5 + Math.random()));
    }
  }
}

/**
 * Schema versions, applied in order inside one transaction each. Never edit a shipped entry: append.
 * Times are epoch ms. Fingerprints, key ids and addresses are stored in their canonical forms (shared/identity).
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `
  CREATE TABLE keys (
    fingerprint TEXT PRIMARY KEY,
    version INTEGER NOT NULL CHECK (version IN (4, 6)),
    emails TEXT NOT NULL, -- JSON array; no port looks keys up by address (bindings do that)
    packets BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER -- null once any address is published
  ) WITHOUT ROWID;
  CREATE INDEX keys_expires_at ON keys (expires_at) WHERE expires_at IS NOT NULL;

  -- The primary key id first, then bound subkey ids, in the order given; a key id may repeat (collisions).
  CREATE TABLE key_ids (
    fingerprint TEXT NOT NULL REFERENCES keys (fingerprint) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    PRIMARY KEY (fingerprint, position)
  ) WITHOUT ROWID;
  CREATE INDEX key_ids_key_id ON key_ids (key_id);

  -- One published key per address: the primary key is the unique index that makes publish race-free.
  CREATE TABLE bindings (
    email TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    published_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX bindings_fingerprint ON bindings (fingerprint);

  -- At most one live token per purpose and address: a newer request supersedes the older one.
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'unpublish')),
    email TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX tokens_purpose_email ON tokens (purpose, email);
  CREATE INDEX tokens_expires_at ON tokens (expires_at);

  CREATE TABLE rate_limits (
    key TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
  ) WITHOUT ROWID;
  CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
  `,
  `ALTER TABLE keys ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;`,
  // A newer token supersedes older ones for the same key only: another key's request must not cancel it.
  `DROP INDEX tokens_purpose_email;
  CREATE UNIQUE INDEX tokens_purpose_email_fingerprint ON tokens (purpose, email, fingerprint);`,
  // Escrow (docs/escrow.md). Secrets only as hashes; the OPAQUE setup secret is never in this file.
  `
  CREATE TABLE escrow_accounts (
    address TEXT PRIMARY KEY,
    registration_record TEXT NOT NULL,
    profile TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    escrow TEXT NOT NULL,
    recovery_verifier_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE escrow_devices (
    address TEXT NOT NULL REFERENCES escrow_accounts (address) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (address, hash)
  ) WITHOUT ROWID;

  CREATE TABLE escrow_releases (
    address TEXT NOT NULL REFERENCES escrow_accounts (address) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('passphrase', 'recovery')),
    client TEXT NOT NULL,
    new_device INTEGER NOT NULL
  );
  CREATE INDEX escrow_releases_address ON escrow_releases (address, at);

  -- One live code per address and purpose: the primary key makes a newer code replace the older one.
  CREATE TABLE escrow_codes (
    address TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'release', 'recover')),
    hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (address, purpose)
  ) WITHOUT ROWID;
  CREATE INDEX escrow_codes_expires_at ON escrow_codes (expires_at);

  CREATE TABLE escrow_logins (
    hash TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    server_state TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX escrow_logins_expires_at ON escrow_logins (expires_at);

  CREATE TABLE escrow_sessions (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'recovery')),
    address TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX escrow_sessions_address ON escrow_sessions (address);
  CREATE INDEX escrow_sessions_expires_at ON escrow_sessions (expires_at);

  CREATE TABLE escrow_guesses (
    address TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0,
    lockouts INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX escrow_guesses_expires_at ON escrow_guesses (expires_at);

  -- A picked-up message keeps its row (payload NULL) until it expires, so its slot cannot be written again.
  CREATE TABLE escrow_relay (
    channel TEXT NOT NULL,
    slot TEXT NOT NULL CHECK (slot IN ('offer', 'reply')),
    payload TEXT,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (channel, slot)
  ) WITHOUT ROWID;
  CREATE INDEX escrow_relay_expires_at ON escrow_relay (expires_at);
  `,
  // WKD by hash alone (a request without ?l=, as static WKD hosting serves it): each binding's domain and the WKD
  // hash of its local part. Addresses hold exactly one '@' (shared/identity/email.ts).
  `
  ALTER TABLE bindings ADD COLUMN wkd_domain TEXT;
  ALTER TABLE bindings ADD COLUMN wkd_hash TEXT;
  UPDATE bindings SET wkd_domain = substr(email, instr(email, '@') + 1),
    wkd_hash = keyward_wkd_hash(substr(email, 1, instr(email, '@') - 1));
  CREATE INDEX bindings_wkd ON bindings (wkd_domain, wkd_hash);
  `,
  // The durable mail queue (store/mail-queue-ports.ts). `body` holds live links and codes: the row is deleted once
  // sent, and body and key are set to NULL when the queue gives up on it.
  `
  CREATE TABLE mail_queue (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    encrypt_to BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    lease TEXT,
    lease_until INTEGER,
    last_error TEXT,
    failed_at INTEGER,
    keep_until INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX mail_queue_due ON mail_queue (state, due_at);
  CREATE INDEX mail_queue_created ON mail_queue (state, created_at);
  `,
  // Digital legacy (store/legacy-ports.ts, docs/legacy.md). A grant is one row, changed only by compare-and-swap on
  // `revision`; its request and owed mails are JSON beside it so one statement changes them together. owner_address
  // and trusted_fingerprint repeat the terms' fields for lookups. The payload opens only with the trusted person's
  // private key; it is set to NULL on revocation. Challenges only as SHA-256.
  `
  CREATE TABLE legacy_grants (
    id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    owner_address TEXT NOT NULL,
    trusted_fingerprint TEXT NOT NULL,
    terms TEXT NOT NULL,
    terms_signature TEXT NOT NULL,
    owner_key TEXT NOT NULL,
    trusted_key TEXT NOT NULL,
    payload TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revoked_at INTEGER,
    request TEXT,
    notices TEXT NOT NULL,
    due_at INTEGER,
    lease TEXT,
    lease_until INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX legacy_grants_owner ON legacy_grants (owner_address, created_at);
  CREATE INDEX legacy_grants_trusted ON legacy_grants (trusted_fingerprint, created_at);
  CREATE INDEX legacy_grants_due ON legacy_grants (due_at) WHERE due_at IS NOT NULL;

  CREATE TABLE legacy_challenges (
    hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX legacy_challenges_expires_at ON legacy_challenges (expires_at);

  CREATE TABLE legacy_audit (
    grant_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    actor TEXT NOT NULL,
    proof TEXT,
    client TEXT,
    request_id TEXT
  );
  CREATE INDEX legacy_audit_grant ON legacy_audit (grant_id, at);
  `,
];

function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  while (version() < MIGRATIONS.length) {
    // Several processes may start on one new file at once: read the version again under the write lock so each
    // migration runs exactly once.
    db.transaction(() => {
      const v = version();
      if (v >= MIGRATIONS.length) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/**
 * better-sqlite3 answers synchronously; the ports are asynchronous. Runs `work` now and hands its result, or its
 * error, back as a settled promise so callers' `.catch` and `await` see failures the same way for every adapter.
 */
export function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
