import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import { isKeywardError } from '../../shared/errors';
import type { Email, Fingerprint } from '../../shared/identity';
import { type KeyLimits, purifyUpload } from '../keys';
import type { Store } from '../store/ports';
import { updateKey } from '../store/update-key';

/**
 * What an operator can do from the shell (keyserver/admin/cli.ts): remove a key outright (abuse, legal request),
 * run the current key policy over every stored key after the policy or its limits changed, and list the mails the
 * mail queue gave up on.
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
        let refused: string | null = null;
        let changed = false;
        let emails: Email[] | null = null;
        await updateKey(store.keys, fingerprint, async (stored) => {
          if (!stored) return null;
          const now = deps.clock.now();
          let purified;
          try {
            [purified] = await purifyUpload(stored.packets, deps.keyLimits, now, { isKnown: () => true });
          } catch (e) {
            if (!isKeywardError(e)) throw e;
            refused = e.message;
            return null;
          }
          if (!purified || purified.fingerprint !== fingerprint) return null;
          emails = purified.emails;
          changed = Buffer.compare(Buffer.from(purified.packets), Buffer.from(stored.packets)) !== 0;
          if (!changed) return null;
          return {
            ...stored,
            packets: purified.packets,
            keyIds: purified.keyIds,
            emails: purified.emails,
            updatedAt: now.getTime(),
          };
        });
        if (refused !== null) {
          log.warn({ fingerprint, reason: refused }, 'admin: stored key no longer passes the key policy');
          totals.unpublished += (await deleteKey(fingerprint)).unpublished.length;
          totals.deleted++;
          continue;
        }
        if (changed) totals.changed++;
        const kept = emails as Email[] | null;
        if (kept === null) continue;
        for (const b of await store.bindings.byFingerprint(fingerprint)) {
          if (!kept.includes(b.email) && (await store.bindings.unpublish(b.email, fingerprint)))
            totals.unpublished++;
        }
      }
      after = page[page.length - 1]!;
    }
  }

  /** The mails the queue gave up on in the last 7 days, the latest first (no text: it was erased). */
  const mailFailures = (limit = 100) => store.mailQueue.failures(limit);

  return { deleteKey, repurifyAll, mailFailures };
}
