import type Database from 'better-sqlite3';
import type { LegacyAuditRecord, LegacyGrant, LegacyStore } from '../legacy-ports';
import { storedLegacyGrant } from '../stored-legacy-grant';
import { settled } from './sqlite-database';

interface GrantRow {
  id: string;
  revision: number;
  terms: string;
  terms_signature: string;
  owner_key: string;
  trusted_key: string;
  payload: string | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  request: string | null;
  notices: string;
  due_at: number | null;
}

interface AuditRow {
  grant_id: string;
  at: number;
  event: string;
  actor: string;
  proof: string | null;
  client: string | null;
  request_id: string | null;
}

/**
 * Digital legacy in the embedded SQLite file. A put is one statement comparing and swapping the revision, a claim
 * one BEGIN IMMEDIATE transaction: processes sharing the file serialise on SQLite's write lock.
 */
export function createSqliteLegacyStore(db: Database.Database): LegacyStore {
  const columns = `owner_address = @ownerAddress, trusted_fingerprint = @trustedFingerprint, terms = @terms,
    terms_signature = @termsSignature, owner_key = @ownerKey, trusted_key = @trustedKey, payload = @payload,
    created_at = @createdAt, updated_at = @updatedAt, revoked_at = @revokedAt, request = @request,
    notices = @notices, due_at = @dueAt`;
  const insert = db.prepare(`
    INSERT INTO legacy_grants (id, revision, owner_address, trusted_fingerprint, terms, terms_signature, owner_key,
      trusted_key, payload, created_at, updated_at, revoked_at, request, notices, due_at)
    VALUES (@id, 1, @ownerAddress, @trustedFingerprint, @terms, @termsSignature, @ownerKey, @trustedKey, @payload,
      @createdAt, @updatedAt, @revokedAt, @request, @notices, @dueAt)
    ON CONFLICT (id) DO NOTHING`);
  const update = db.prepare(
    `UPDATE legacy_grants SET revision = revision + 1, ${columns} WHERE id = @id AND revision = @revision`,
  );
  const get = db.prepare<[string], GrantRow>('SELECT * FROM legacy_grants WHERE id = ?');
  const byOwner = db.prepare<[string], GrantRow>(
    'SELECT * FROM legacy_grants WHERE owner_address = ? ORDER BY created_at, id',
  );
  const byTrusted = db.prepare<[string], GrantRow>(
    'SELECT * FROM legacy_grants WHERE trusted_fingerprint = ? ORDER BY created_at, id',
  );
  const due = db.prepare<{ now: number; limit: number; id: string | null }, { id: string }>(`
    SELECT id FROM legacy_grants
    WHERE due_at <= @now AND (lease_until IS NULL OR lease_until <= @now) AND (@id IS NULL OR id = @id)
    ORDER BY due_at, id LIMIT @limit`);
  const take = db.prepare<{ id: string; lease: string; until: number }, GrantRow>(
    'UPDATE legacy_grants SET lease = @lease, lease_until = @until WHERE id = @id RETURNING *',
  );
  const release = db.prepare(
    'UPDATE legacy_grants SET lease = NULL, lease_until = NULL WHERE id = ? AND lease = ?',
  );
  const claim = db.transaction(
    (now: number, leaseMs: number, lease: string, limit: number, id: string | null) =>
      due
        .all({ now, limit, id })
        .map((row) => take.get({ id: row.id, lease, until: now + leaseMs })!)
        .map(toGrant),
  );

  const challenges = {
    issue: db.prepare('INSERT INTO legacy_challenges (hash, expires_at) VALUES (?, ?)'),
    take: db.prepare('DELETE FROM legacy_challenges WHERE hash = ? AND expires_at > ? RETURNING 1'),
    expired: db.prepare('DELETE FROM legacy_challenges WHERE expires_at <= ?'),
  };
  const audit = {
    insert: db.prepare(`
      INSERT INTO legacy_audit (grant_id, at, event, actor, proof, client, request_id)
      VALUES (@grantId, @at, @event, @actor, @proof, @client, @requestId)`),
    list: db.prepare<[string, number], AuditRow>(
      'SELECT * FROM legacy_audit WHERE grant_id = ? ORDER BY at DESC, rowid DESC LIMIT ?',
    ),
  };

  return {
    grants: {
      put: (grant) =>
        settled(() => {
          const row = toRow(grant);
          return (grant.revision === 0 ? insert.run(row) : update.run(row)).changes > 0;
        }),
      get: (id) =>
        settled(() => {
          const row = get.get(id);
          return row ? toGrant(row) : null;
        }),
      byOwner: (address) => settled(() => byOwner.all(address).map(toGrant)),
      byTrusted: (fingerprint) => settled(() => byTrusted.all(fingerprint).map(toGrant)),
      claimDue: ({ now, leaseMs, lease, limit, id }) =>
        settled(() => (limit > 0 ? claim.immediate(now, leaseMs, lease, limit, id ?? null) : [])),
      release: (id, lease) => settled(() => release.run(id, lease).changes > 0),
    },
    challenges: {
      issue: (hash, expiresAt) => settled(() => void challenges.issue.run(hash, expiresAt)),
      take: (hash, now) => settled(() => challenges.take.get(hash, now) !== undefined),
    },
    audit: {
      record: (entry) => settled(() => void audit.insert.run(entry)),
      list: (grantId, limit) => settled(() => (limit > 0 ? audit.list.all(grantId, limit) : []).map(toAudit)),
    },
    deleteExpired: (now) => settled(() => challenges.expired.run(now).changes),
  };
}

function toRow(grant: LegacyGrant): Record<string, unknown> {
  return {
    id: grant.id,
    revision: grant.revision,
    ownerAddress: grant.terms.ownerAddress,
    trustedFingerprint: grant.terms.trustedFingerprint,
    terms: JSON.stringify(grant.terms),
    termsSignature: grant.termsSignature,
    ownerKey: grant.ownerKey,
    trustedKey: grant.trustedKey,
    payload: grant.payload,
    createdAt: grant.createdAt,
    updatedAt: grant.updatedAt,
    revokedAt: grant.revokedAt,
    request: grant.request && JSON.stringify(grant.request),
    notices: JSON.stringify(grant.notices),
    dueAt: grant.dueAt,
  };
}

function toGrant(row: GrantRow): LegacyGrant {
  return storedLegacyGrant.parse({
    id: row.id,
    revision: row.revision,
    terms: JSON.parse(row.terms) as unknown,
    termsSignature: row.terms_signature,
    ownerKey: row.owner_key,
    trustedKey: row.trusted_key,
    payload: row.payload,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
    request: row.request === null ? null : (JSON.parse(row.request) as unknown),
    notices: JSON.parse(row.notices) as unknown,
    dueAt: row.due_at,
  });
}

function toAudit(row: AuditRow): LegacyAuditRecord {
  return {
    grantId: row.grant_id,
    at: row.at,
    event: row.event as LegacyAuditRecord['event'],
    actor: row.actor as LegacyAuditRecord['actor'],
    proof: row.proof as LegacyAuditRecord['proof'],
    client: row.client,
    requestId: row.request_id,
  };
}
