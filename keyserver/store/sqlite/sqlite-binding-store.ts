import type Database from 'better-sqlite3';
import { Email, Fingerprint } from '../../../shared/identity';
import { wkdHash } from '../../../shared/wkd';
import type { Binding, BindingStore } from '../ports';
import { settled } from './sqlite-database';

interface BindingRow {
  email: string;
  fingerprint: string;
  published_at: number;
}

export function createSqliteBindingStore(db: Database.Database): BindingStore {
  const current = db.prepare<[string], { fingerprint: string }>(
    'SELECT fingerprint FROM bindings WHERE email = ?',
  );
  const upsert = db.prepare(`
    INSERT INTO bindings (email, fingerprint, published_at, wkd_domain, wkd_hash)
    VALUES (@email, @fingerprint, @publishedAt, @wkdDomain, @wkdHash)
    ON CONFLICT (email) DO UPDATE SET fingerprint = excluded.fingerprint, published_at = excluded.published_at`);
  const unpublishAny = db.prepare('DELETE FROM bindings WHERE email = ?');
  const unpublishIf = db.prepare('DELETE FROM bindings WHERE email = ? AND fingerprint = ?');
  const byEmail = db.prepare<[string], BindingRow>('SELECT * FROM bindings WHERE email = ?');
  const byFingerprint = db.prepare<[string], BindingRow>(
    'SELECT * FROM bindings WHERE fingerprint = ? ORDER BY email',
  );
  const byWkdHash = db.prepare<[string, string], BindingRow>(
    'SELECT * FROM bindings WHERE wkd_domain = ? AND wkd_hash = ? ORDER BY email',
  );

  // BEGIN IMMEDIATE takes the write lock before reading, so no other process can publish the same address
  // between the read of the old binding and the upsert: the returned `replaced` is exactly what was overwritten.
  const publish = db.transaction((binding: Binding) => {
    const old = current.get(binding.email)?.fingerprint ?? null;
    upsert.run({
      ...binding,
      wkdDomain: Email.domain(binding.email),
      wkdHash: wkdHash(Email.localPart(binding.email)),
    });
    return old === null || old === binding.fingerprint ? null : Fingerprint.parse(old);
  });

  return {
    publish: (binding) => settled(() => ({ replaced: publish.immediate(binding) })),
    unpublish: (email, fingerprint) =>
      settled(
        () =>
          (fingerprint === undefined ? unpublishAny.run(email) : unpublishIf.run(email, fingerprint))
            .changes > 0,
      ),
    byEmail: (email) =>
      settled(() => {
        const row = byEmail.get(email);
        return row ? toBinding(row) : null;
      }),
    byFingerprint: (fingerprint) => settled(() => byFingerprint.all(fingerprint).map(toBinding)),
    byWkdHash: (domain, hash) => settled(() => byWkdHash.all(domain, hash).map(toBinding)),
  };
}

function toBinding(row: BindingRow): Binding {
  return {
    email: Email.parse(row.email),
    fingerprint: Fingerprint.parse(row.fingerprint),
    publishedAt: row.published_at,
  };
}
