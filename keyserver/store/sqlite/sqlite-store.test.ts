import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Email, Fingerprint } from '../../../shared/identity';
import { wkdHash } from '../../../shared/wkd';
import { describeStoreContract } from '../store-contract';
import { openSqliteStore } from './sqlite-store';

const root = mkdtempSync(join(tmpdir(), 'keyward-sqlite-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, String(++n));

describeStoreContract('SQLite file store', () => Promise.resolve(openSqliteStore(freshDir())));
describeStoreContract('SQLite in-memory store', () => Promise.resolve(openSqliteStore(':memory:')));

describe('SQLite store', () => {
  it('keeps its data across reopening the file', async () => {
    const dir = freshDir();
    const first = openSqliteStore(dir);
    await first.rateLimits.hit('k', 5, 60_000, 0);
    await first.close();
    const second = openSqliteStore(dir);
    expect((await second.rateLimits.hit('k', 5, 60_000, 1)).count).toBe(2);
    await second.close();
  });

  it('indexes the bindings of a file from before WKD lookups by hash, when it opens it', async () => {
    const dir = freshDir();
    const first = openSqliteStore(dir);
    const binding = {
      email: Email.parse('joe.doe@example.org'),
      fingerprint: Fingerprint.parse('A'.repeat(40)),
      publishedAt: 1,
    };
    await first.bindings.publish(binding);
    await first.close();
    // Take the file back to schema version 5, the last before the WKD columns (and the tables after them).
    const raw = new Database(join(dir, 'keyward.sqlite'));
    raw.exec(`DROP INDEX bindings_wkd;
      ALTER TABLE bindings DROP COLUMN wkd_hash;
      ALTER TABLE bindings DROP COLUMN wkd_domain;
      DROP TABLE mail_queue;
      DROP TABLE legacy_grants;
      DROP TABLE legacy_challenges;
      DROP TABLE legacy_audit;
      PRAGMA user_version = 5;`);
    raw.close();
    const second = openSqliteStore(dir);
    // The draft's test vector: Joe.Doe@Example.ORG.
    expect(wkdHash('joe.doe')).toBe('iy9q119eutrkn8s1mk4r39qejnbu3n5q');
    expect(await second.bindings.byWkdHash('example.org', 'iy9q119eutrkn8s1mk4r39qejnbu3n5q')).toEqual([
      binding,
    ]);
    await second.close();
  });

  it('counts the hits of one event-loop turn together, and a bad hit fails alone', async () => {
    const store = openSqliteStore(':memory:');
    const [a, bad, b] = await Promise.allSettled([
      store.rateLimits.hit('k', 5, 60_000, 0),
      store.rateLimits.hit('k', 5, 0, 0), // no such window
      store.rateLimits.hit('k', 5, 60_000, 0, 2),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: { allowed: true, count: 1, retryAfterSeconds: 0 } });
    expect(bad.status).toBe('rejected');
    expect(b).toEqual({ status: 'fulfilled', value: { allowed: true, count: 3, retryAfterSeconds: 0 } });
    await store.close();
  });

  it('fails the waiting hits, not the process, when the store is closed under them', async () => {
    const store = openSqliteStore(':memory:');
    const pending = store.rateLimits.hit('k', 5, 60_000, 0);
    await store.close();
    await expect(pending).rejects.toThrow();
  });

  it('sweeps ended rate-limit windows', async () => {
    const dir = freshDir();
    const store = openSqliteStore(dir);
    const rows = () => {
      const db = new Database(join(dir, 'keyward.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM rate_limits').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    await store.rateLimits.hit('a', 5, 60_000, 0);
    await store.rateLimits.hit('b', 5, 60_000, 0);
    expect(rows()).toBe(2);
    await store.rateLimits.hit('c', 5, 60_000, 3_600_000);
    expect(rows()).toBe(1);
    await store.close();
  });
});
