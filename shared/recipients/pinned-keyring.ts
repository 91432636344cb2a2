import { KeywardError } from '../errors';
import { Email } from '../identity';
import { mergePublicKeys, readPublicKeys, type KeySummary } from '../openpgp';
import { isUsable, type FoundKey, type KeyLookup, type LookupResult, type LookupSource } from './key-lookup';

/**
 * Other people's public keys with the address each is pinned to: the one set of pinning decisions the extension's
 * contacts and the Node library share. Trust on first use: the first key seen for an address is pinned to it; a
 * different key later is never used silently but waits as a key change until someone accepts or rejects it. A
 * revoked or expired key stays, flagged, and is never used for new files. Group files may pin fingerprints before
 * any key is known.
 *
 * The keyring is plain JSON-able data that the functions here change in place; where it is kept (extension
 * storage, a file, an app's database) and how writes are serialised is the caller's business.
 */
export interface PinnedKeyring<S extends string = string> {
  keys: Record<
    string,
    { armored: string; source: S; addedAt: number; refreshedAt: number; verified: boolean }
  >;
  /** Address -> the fingerprint pinned for it (trust on first use, or a group file's), and offers turned down. */
  pins: Record<string, { fingerprint: string; dismissed: string[] }>;
  /** Address -> a different key offered for it, waiting for a decision. */
  changes: Record<string, { armored: string; source: S; seenAt: number }>;
}

export function emptyKeyring<S extends string>(): PinnedKeyring<S> {
  return { keys: {}, pins: {}, changes: {} };
}

/** What a keyring says about one address, for new files. */
export type PinnedKey =
  | {
      readonly status: 'usable';
      readonly email: Email;
      readonly fingerprint: string;
      readonly armored: string;
      /** The user id for the address ("Bob <bob@example.org>"), or the bare address. */
      readonly userId: string;
      readonly summary: KeySummary;
    }
  /** A different key was offered and nobody has decided yet: nothing may be encrypted to the address. */
  | { readonly status: 'changed'; readonly email: Email; readonly pinned: string; readonly offered: string }
  /** The pinned key is revoked, expired or cannot encrypt. */
  | { readonly status: 'unusable'; readonly email: Email; readonly summary: KeySummary }
  /** A fingerprint is pinned (a group file) but no key with it was found yet. */
  | { readonly status: 'awaiting'; readonly email: Email; readonly fingerprint: string }
  | { readonly status: 'none'; readonly email: Email };

async function summarize(armored: string, date: Date): Promise<KeySummary> {
  const [entry] = await readPublicKeys(armored, { date });
  return entry!.summary;
}

/**
 * Takes a key into the keyring: a known fingerprint is merged (so revocations and new subkeys arrive), a new one
 * is added. Each of its addresses is pinned to it if nothing is pinned yet; an address pinned to another key gets
 * a key change instead. Returns the addresses whose key changed.
 */
export async function takeKey<S extends string>(
  ring: PinnedKeyring<S>,
  key: { armored: string; summary: KeySummary },
  source: S,
  date: Date,
): Promise<Email[]> {
  const fp = key.summary.fingerprint;
  const existing = ring.keys[fp];
  const t = date.getTime();
  const changed: Email[] = [];
  for (const email of key.summary.emails) {
    const pin = ring.pins[email];
    if (!pin) ring.pins[email] = { fingerprint: fp, dismissed: [] };
    else if (pin.fingerprint !== fp && !pin.dismissed.includes(fp) && isUsable(key.summary)) {
      ring.changes[email] = { armored: key.armored, source, seenAt: t };
      changed.push(email);
    }
  }
  const pinnedHere = Object.values(ring.pins).some((p) => p.fingerprint === fp);
  if (existing) {
    existing.armored = await mergePublicKeys(existing.armored, key.armored, { date });
    existing.refreshedAt = t;
  } else if (pinnedHere) {
    ring.keys[fp] = { armored: key.armored, source, addedAt: t, refreshedAt: t, verified: false };
  }
  return changed;
}

/** What a lookup saw: same-fingerprint copies merged (revocations learnt), the usable key taken. */
export async function learnLookup<S extends string>(
  ring: PinnedKeyring<S | LookupSource>,
  seen: readonly FoundKey[],
  usable: FoundKey | null,
  date: Date,
): Promise<Email[]> {
  for (const k of seen) {
    if (k !== usable && ring.keys[k.summary.fingerprint]) await takeKey(ring, k, k.source, date);
  }
  return usable ? takeKey(ring, usable, usable.source, date) : [];
}

/**
 * Asks the sources about an address again and learns what they say; the pinned key is also fetched by fingerprint
 * when the address no longer leads to it (a revoked key often drops out of address lookups).
 */
export async function recheckAddress<S extends string>(
  ring: PinnedKeyring<S | LookupSource>,
  email: Email,
  lookup: KeyLookup,
  date: Date,
): Promise<{ result: LookupResult; changed: Email[] }> {
  const result = await lookup.lookup(email);
  const changed = await learnLookup(ring, result.seen, result.usable, date);
  const pinned = ring.pins[email]?.fingerprint;
  if (pinned && ring.keys[pinned] && !result.seen.some((k) => k.summary.fingerprint === pinned)) {
    const again = await lookup.byFingerprint(pinned);
    if (again) await takeKey(ring, again, again.source, date);
  }
  return { result, changed };
}

/** A decision on a key change: use the offered key from now on, or keep the pinned one (that offer for good). */
export async function decideChange<S extends string>(
  ring: PinnedKeyring<S>,
  email: string,
  accept: boolean,
  date: Date,
): Promise<{ pinned: string }> {
  const change = ring.changes[email];
  if (!change) throw new KeywardError('not_found', `There is no key change waiting for ${email}.`);
  const offered = (await readPublicKeys(change.armored, { date }))[0]!;
  const pin = ring.pins[email]!;
  if (accept) {
    ring.pins[email] = { fingerprint: offered.summary.fingerprint, dismissed: [] };
    await takeKey(ring, offered, change.source, date);
  } else {
    pin.dismissed.push(offered.summary.fingerprint);
  }
  delete ring.changes[email];
  // A key no address is pinned to any more is not used for anything: it goes.
  for (const fp of Object.keys(ring.keys)) {
    if (!Object.values(ring.pins).some((p) => p.fingerprint === fp)) delete ring.keys[fp];
  }
  return { pinned: ring.pins[email]!.fingerprint };
}

/** Forgets a key and every address pinned to it (and their waiting changes). */
export function removeKey(ring: PinnedKeyring, fingerprint: string): void {
  delete ring.keys[fingerprint];
  for (const [email, pin] of Object.entries(ring.pins)) {
    if (pin.fingerprint === fingerprint) {
      delete ring.pins[email];
      delete ring.changes[email];
    }
  }
}

/** Forgets what is pinned for one address; its key goes too when no other address is pinned to it. */
export function unpinAddress(ring: PinnedKeyring, email: Email): void {
  const fingerprint = ring.pins[email]?.fingerprint;
  delete ring.pins[email];
  delete ring.changes[email];
  if (fingerprint && !Object.values(ring.pins).some((p) => p.fingerprint === fingerprint)) {
    delete ring.keys[fingerprint];
  }
}

/** Pins fingerprints handed over in a group file, for addresses nothing is pinned for yet; never re-pins one. */
export function pinExpected(
  ring: PinnedKeyring,
  pins: readonly { email: Email; fingerprint: string }[],
): { pinned: number } {
  let pinned = 0;
  for (const { email, fingerprint } of pins) {
    if (ring.pins[email]) continue;
    ring.pins[email] = { fingerprint, dismissed: [] };
    pinned += 1;
  }
  return { pinned };
}

/** The key new files for an address go to, or why there is none; callers turn the reason into their own words. */
export async function pinnedKeyFor(ring: PinnedKeyring, email: Email, date: Date): Promise<PinnedKey> {
  const change = ring.changes[email];
  const pin = ring.pins[email];
  if (change) {
    const offered = await summarize(change.armored, date);
    return { status: 'changed', email, pinned: pin?.fingerprint ?? '', offered: offered.fingerprint };
  }
  const entry = pin ? ring.keys[pin.fingerprint] : undefined;
  if (!pin) return { status: 'none', email };
  if (!entry) return { status: 'awaiting', email, fingerprint: pin.fingerprint };
  const summary = await summarize(entry.armored, date);
  if (!isUsable(summary)) return { status: 'unusable', email, summary };
  const userId = summary.userIds.find((id) => Email.fromUserId(id) === email) ?? email;
  return {
    status: 'usable',
    email,
    fingerprint: summary.fingerprint,
    armored: entry.armored,
    userId,
    summary,
  };
}
