import { z } from 'zod';
import type { Clock } from '../../shared/clock';
import { KeywardError } from '../../shared/errors';
import { Email, Fingerprint } from '../../shared/identity';
import { readPublicKeys, type KeyInput, type KeySummary } from '../../shared/openpgp';
import {
  decideChange,
  pinExpected,
  pinnedKeyFor,
  recheckAddress,
  removeKey,
  takeKey,
} from '../../shared/recipients/pinned-keyring';
import { serialQueue } from '../../shared/serial-queue';
import { notFoundError, unusableReason, type KeyLookup } from '../directory/key-lookup';
import type { Contact, ContactSource, ContactsView, KeyChange } from '../model';
import type { StorageArea } from '../platform/storage';

const KEY = 'contacts';

const sourceSchema = z.enum(['file', 'paste', 'keyserver', 'wkd', 'keys.openpgp.org', 'group']);
const storedSchema = z.object({
  keys: z.record(
    z.string(),
    z.object({
      armored: z.string(),
      source: sourceSchema,
      addedAt: z.number(),
      refreshedAt: z.number(),
      verified: z.boolean(),
    }),
  ),
  /** Address -> the fingerprint pinned for it (trust on first use, or a group file's), and offers turned down. */
  pins: z.record(z.string(), z.object({ fingerprint: z.string(), dismissed: z.array(z.string()) })),
  /** Address -> a different key offered for it, waiting for the user's decision. */
  changes: z.record(z.string(), z.object({ armored: z.string(), source: sourceSchema, seenAt: z.number() })),
});
type Stored = z.infer<typeof storedSchema>;
const EMPTY: Stored = { keys: {}, pins: {}, changes: {} };

/** A key new files go to for one address: the pinned key, usable now. */
export interface RecipientKey {
  readonly email: Email;
  readonly fingerprint: string;
  readonly armored: string;
  /** The user id to show ("Bob <bob@example.org>"). */
  readonly userId: string;
}

export interface ContactsDeps {
  readonly local: StorageArea;
  readonly lookup: KeyLookup;
  readonly clock: Clock;
}

/**
 * Other people's public keys (the contacts keyring), in storage.local. The first key seen for an address is
 * pinned to it; a different key later is never used silently: it waits as a key change until the user accepts or
 * rejects it, and until then uploads to that address stop. A revoked or expired key stays listed, flagged, and is
 * never used for new files. Group files may pin fingerprints before any key is known.
 */
export function createContactsStore({ local, lookup, clock }: ContactsDeps) {
  const serial = serialQueue();

  async function read(): Promise<Stored> {
    const raw = await local.get(KEY);
    if (raw === undefined) return structuredClone(EMPTY);
    const parsed = storedSchema.safeParse(raw);
    if (!parsed.success) {
      throw new KeywardError(
        'unavailable',
        "Keyward's contacts are damaged. Uploads to other people stop until they are repaired: remove all " +
          'contacts in the options page and add them again.',
      );
    }
    return parsed.data;
  }
  const write = (stored: Stored) => local.set({ [KEY]: stored });

  async function summarize(armored: string): Promise<KeySummary> {
    const [entry] = await readPublicKeys(armored, { date: clock.now() });
    return entry!.summary;
  }

  // The pinning decisions are shared with the Node library (shared/recipients/pinned-keyring.ts).
  const take = (stored: Stored, key: { armored: string; summary: KeySummary }, source: ContactSource) =>
    takeKey(stored, key, source, clock.now());
  const recheck = (stored: Stored, email: Email) => recheckAddress(stored, email, lookup, clock.now());

  async function view(stored: Stored): Promise<ContactsView> {
    const contacts: Contact[] = [];
    for (const [fingerprint, entry] of Object.entries(stored.keys)) {
      const s = await summarize(entry.armored);
      contacts.push({
        fingerprint: s.fingerprint,
        userIds: s.userIds,
        emails: s.emails,
        algorithm: s.algorithm,
        created: s.created,
        expires: s.expires,
        revoked: s.revoked,
        expired: s.expired,
        canEncrypt: s.canEncrypt,
        source: entry.source,
        addedAt: entry.addedAt,
        refreshedAt: entry.refreshedAt,
        verified: entry.verified,
        pinnedFor: Object.entries(stored.pins)
          .filter(([, p]) => p.fingerprint === fingerprint)
          .map(([email]) => Email.parse(email)),
      });
    }
    const changes: KeyChange[] = [];
    for (const [email, change] of Object.entries(stored.changes)) {
      const offered = await summarize(change.armored);
      const pinned = stored.pins[email]?.fingerprint;
      if (pinned === undefined) continue; // never so: a change is only recorded for a pinned address
      changes.push({
        email: Email.parse(email),
        pinned: Fingerprint.parse(pinned),
        offered: offered.fingerprint,
        offeredUserIds: offered.userIds,
        source: change.source,
        seenAt: change.seenAt,
      });
    }
    const awaiting = Object.entries(stored.pins)
      .filter(([, p]) => !stored.keys[p.fingerprint])
      .map(([email, p]) => ({ email: Email.parse(email), fingerprint: Fingerprint.parse(p.fingerprint) }));
    contacts.sort((a, b) => (a.userIds[0] ?? a.fingerprint).localeCompare(b.userIds[0] ?? b.fingerprint));
    return { contacts, changes, awaiting };
  }

  function changeError(email: string, stored: Stored, change: Stored['changes'][string]): KeywardError {
    return new KeywardError(
      'conflict',
      `The key for ${email} has changed: Keyward knows ${stored.pins[email]?.fingerprint ?? 'another key'}, ` +
        `and ${change.source === 'file' || change.source === 'paste' ? 'an import' : change.source} now offers ` +
        "a different one. Nothing was uploaded. Open Keyward's options, Contacts, to compare the fingerprints " +
        'and decide.',
      { email },
    );
  }

  /** Read, change, write, one at a time. What was learnt is kept even when the work then refuses (a key change). */
  const mutate = <T>(work: (stored: Stored) => Promise<T>) =>
    serial(async () => {
      const stored = await read();
      try {
        return await work(stored);
      } finally {
        await write(stored);
      }
    });

  return {
    list: () => serial(async () => view(await read())),

    /** Imports every key of a file or pasted armor. Private keys are refused: they belong in the vault. */
    import: (data: KeyInput, source: 'file' | 'paste') =>
      mutate(async (stored) => {
        const entries = await readPublicKeys(data, { date: clock.now() });
        const added: string[] = [];
        const changed: string[] = [];
        if (entries.some((e) => e.wasPrivate)) {
          throw new KeywardError(
            'invalid_input',
            "This file holds a private key. Contacts are other people's public keys; add your own key under " +
              '"Your keys" instead. Nothing was imported.',
          );
        }
        const noAddress = entries.find((e) => e.summary.emails.length === 0 && !e.summary.revoked);
        if (noAddress) {
          throw new KeywardError(
            'invalid_input',
            `Key ${noAddress.summary.fingerprint} has no valid user id with an e-mail address, so it cannot be ` +
              'a contact. Nothing was imported.',
          );
        }
        for (const entry of entries) {
          changed.push(...(await take(stored, entry, source)));
          added.push(entry.summary.fingerprint);
        }
        return { added, changed };
      }),

    /** Looks up an address in the configured sources and keeps what it finds (or says where it looked). */
    lookup: (input: string) =>
      mutate(async (stored) => {
        const email = Email.parse(input);
        const { result, changed } = await recheck(stored, email);
        if (!result.usable) {
          if (stored.keys[stored.pins[email]?.fingerprint ?? ''])
            return { fingerprint: stored.pins[email]!.fingerprint, changed };
          throw notFoundError(email, result);
        }
        return { fingerprint: result.usable.summary.fingerprint, changed };
      }),

    /**
     * Asks the sources again for every pinned address (or those of one key): revocations, expiry extensions and
     * new subkeys arrive; a different key becomes a key change. A source being down keeps the stored copy.
     */
    refresh: (fingerprint?: string) =>
      mutate(async (stored) => {
        const emails = Object.entries(stored.pins)
          .filter(([, p]) => fingerprint === undefined || p.fingerprint === fingerprint)
          .map(([email]) => email as Email);
        const problems: string[] = [];
        for (const email of emails) {
          const { result } = await recheck(stored, email);
          if (!result.usable) problems.push(`${email}: ${result.attempts.join('; ')}`);
        }
        return { refreshed: emails.length, problems };
      }),

    /** The user's decision on a key change: use the offered key from now on, or keep the pinned one. */
    decide: (email: string, accept: boolean) =>
      mutate(async (stored) => {
        await decideChange(stored, email, accept, clock.now());
        return {};
      }),

    /** Marks a key's fingerprint as compared out of band (in person, over the phone, by QR code), or unmarks it. */
    setVerified: (fingerprint: string, verified: boolean) =>
      mutate((stored) => {
        const entry = stored.keys[fingerprint];
        if (!entry) throw new KeywardError('not_found', `Key ${fingerprint} is not among your contacts.`);
        entry.verified = verified;
        return Promise.resolve({});
      }),

    remove: (fingerprint: string) =>
      mutate((stored) => {
        removeKey(stored, fingerprint);
        return Promise.resolve({});
      }),

    /** Pins fingerprints handed over in a group file for addresses nothing is pinned for yet. */
    pinExpected: (pins: readonly { email: Email; fingerprint: string }[]) =>
      mutate((stored) => Promise.resolve(pinExpected(stored, pins))),

    /**
     * The keys new files go to, one per address, for an upload. With `fresh`, each address is looked up again
     * first (so a revocation or a replaced key is noticed now, not at the next daily refresh); a source being down
     * falls back to the pinned copy. Throws, and nothing is uploaded, for: a key change waiting for a decision, a
     * revoked or expired or unusable key, an address with no key anywhere.
     */
    recipientKeys: (emails: readonly Email[], options: { fresh: boolean }) =>
      mutate(async (stored) => {
        const keys: RecipientKey[] = [];
        for (const email of emails) {
          let attempts: readonly string[] = [];
          if (options.fresh) {
            attempts = (await recheck(stored, email)).result.attempts;
          }
          const pinned = await pinnedKeyFor(stored, email, clock.now());
          switch (pinned.status) {
            case 'changed':
              throw changeError(email, stored, stored.changes[email]!);
            case 'awaiting':
              throw new KeywardError(
                'not_found',
                `No key with the expected fingerprint ${pinned.fingerprint} was found for ${email}` +
                  (attempts.length > 0 ? ` (looked in: ${attempts.join('; ')}).` : '.'),
              );
            case 'none':
              throw notFoundError(email, { usable: null, seen: [], attempts });
            case 'unusable':
              throw new KeywardError(
                'forbidden',
                `${pinned.summary.userIds[0] ?? email}: ${unusableReason(pinned.summary)}, so it is not used for new files. ` +
                  'Nothing was uploaded. Remove this person from the recipients, or ask them for their new key.',
                { email },
              );
            case 'usable':
              keys.push({
                email,
                fingerprint: pinned.fingerprint,
                armored: pinned.armored,
                userId: pinned.userId,
              });
          }
        }
        return keys;
      }),

    /** Every contact key, for checking signatures on decrypted files. */
    async publicKeys(): Promise<string[]> {
      const stored = await serial(read);
      return Object.values(stored.keys).map((k) => k.armored);
    },
  };
}

export type ContactsStore = ReturnType<typeof createContactsStore>;
