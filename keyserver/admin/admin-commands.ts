import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import type { Fingerprint } from '../../shared/identity';
import { type KeyLimits, purifyUpload } from '../keys';
import type { Store } from '../store/ports';

/**
 * What an operator can do from the shell (keyserver/admin/cli.ts): remove a key outright (abuse, legal request),
 * and run the current key policy over every stored key after the policy or its limits changed.
 */
export function createAdminCommands(deps: { store: Store; clock: Clock; log: Logger; keyLimits: KeyLimits }) {
  const { store, log } = deps;

  async function deleteKey(fingerprint: Fingerprint): Promise<{ deleted: boolean; unpublished: string[] }> {
    const unpublished: string[] = [];
    for (const b of await store.bindings.byFingerprint(fingerprint)) {
      if (await store.bindings.unpublish(b.email, fingerprint)) unpublished.push(b.email);
    }
    const deleted = await store.keys.deleteKey(fingerprint);
    log.info({ fingerprint, deleted, unpublished }, 'admin: key deleted');
    return { deleted, unpublished };
  }

  /** Re-purifies every key in pages; a key the policy now refuses outright is deleted. */
  async function repurifyAll(pageSize = 500) {
    const totals = { checked: 0, changed: 0, deleted: 0, unpublished: 0 };
    let after: Fingerprint | null = null;
    for (;;) {
      const page = await store.keys.listFingerprints(after, pageSize);
      if (page.length === 0) return totals;
      for (const fingerprint of page) {
        totals.checked++;
        const stored = await store.keys.getKey(fingerprint);
        if (!stored) continue;
        const now = deps.clock.now();
        let purified;
        try {
          [purified] = await purifyUpload(stored.packets, deps.keyLimits, now, { isKnown: () => true });
        } catch (e) {
          if (!isKeywardError(e)) throw e;
          log.warn({ fingerprint, reason: e.message }, 'admin: stored key no longer passes the key policy');
          totals.unpublished += (await deleteKey(fingerprint)).unpublished.length;
          totals.deleted++;
          continue;
        }
        if (!purified || purified.fingerprint !== fingerprint) continue;
        for (const b of await store.bindings.byFingerprint(fingerprint)) {
          if (!purified.emails.includes(b.email) && (await store.bindings.unpublish(b.email, fingerprint))) {
            totals.unpublished++;
          }
        }
        if (Buffer.compare(Buffer.from(purified.packets), Buffer.from(stored.packets)) !== 0) {
          totals.changed++;
          await store.keys.putKey({
            ...stored,
            packets: purified.packets,
            keyIds: purified.keyIds,
            emails: purified.emails,
            updatedAt: now.getTime(),
          });
        }
      }
      after = page[page.length - 1]!;
    }
  }

  return { deleteKey, repurifyAll };
}
