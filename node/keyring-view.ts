import { readPublicKeys } from '../shared/openpgp';
import type { KeyringData, KeySource } from './keyring-store';

/** One pinned key, as plain data (dates: epoch ms). */
export interface PinnedKeyView {
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  /** The addresses new files go to this key for. */
  readonly pinnedFor: readonly string[];
  readonly source: KeySource;
  readonly addedAt: number;
  /** When a source last confirmed (or updated) this key. */
  readonly refreshedAt: number;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly canEncrypt: boolean;
}

/** A different key offered for a pinned address: nothing is encrypted to the address until someone decides. */
export interface KeyChangeView {
  readonly email: string;
  readonly pinned: string;
  readonly offered: string;
  readonly offeredUserIds: readonly string[];
  readonly source: KeySource;
  readonly seenAt: number;
}

export interface KeyringView {
  readonly keys: readonly PinnedKeyView[];
  readonly changes: readonly KeyChangeView[];
  /** Fingerprints a group file pinned for addresses whose key has not been found yet. */
  readonly awaiting: readonly { email: string; fingerprint: string }[];
}

export async function describeKeyring(ring: KeyringData, date: Date): Promise<KeyringView> {
  const keys: PinnedKeyView[] = [];
  for (const [fingerprint, entry] of Object.entries(ring.keys)) {
    const [{ summary } = { summary: null }] = await readPublicKeys(entry.armored, { date });
    keys.push({
      fingerprint,
      userIds: summary?.userIds ?? [],
      pinnedFor: Object.entries(ring.pins)
        .filter(([, p]) => p.fingerprint === fingerprint)
        .map(([email]) => email),
      source: entry.source,
      addedAt: entry.addedAt,
      refreshedAt: entry.refreshedAt,
      revoked: summary?.revoked ?? false,
      expired: summary?.expired ?? false,
      canEncrypt: summary?.canEncrypt ?? false,
    });
  }
  const changes: KeyChangeView[] = [];
  for (const [email, change] of Object.entries(ring.changes)) {
    const [offered] = await readPublicKeys(change.armored, { date });
    changes.push({
      email,
      pinned: ring.pins[email]?.fingerprint ?? '',
      offered: offered?.summary.fingerprint ?? '',
      offeredUserIds: offered?.summary.userIds ?? [],
      source: change.source,
      seenAt: change.seenAt,
    });
  }
  const awaiting = Object.entries(ring.pins)
    .filter(([, p]) => !ring.keys[p.fingerprint])
    .map(([email, p]) => ({ email, fingerprint: p.fingerprint }));
  keys.sort((a, b) => (a.pinnedFor[0] ?? a.fingerprint).localeCompare(b.pinnedFor[0] ?? b.fingerprint));
  return { keys, changes, awaiting };
}
