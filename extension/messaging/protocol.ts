import { z } from 'zod';
import { LOOKUP_SOURCES, type LookupSource } from '../directory/key-lookup';
import { legacyProtocol } from './legacy-protocol';

/**
 * The one runtime-message protocol between extension pages (and, later, content scripts) and the background:
 * message name -> request schema -> response type. The background parses every request with its schema before a
 * handler sees it (docs/architecture.md, convention 2); the response type is what the handler resolves to.
 */

/**
 * Who may send a message. `extension-page`: only this extension's own pages (popup, options, ...), never a
 * content script, whose sender carries the web page's URL. Content-script messages will get their own policy
 * (tab and frame checks) when the interceptor needs one.
 */
export type SenderPolicy = 'extension-page';

export interface MessageDefinition<Request extends z.ZodType, Response> {
  readonly request: Request;
  readonly senders: SenderPolicy;
  /** Type-only: what the background answers. Never set at run time. */
  readonly response?: Response;
}

/** Ties a response type to a request schema: `message<Response>()({ request, senders })`. */
function message<Response>() {
  return <Request extends z.ZodType>(definition: {
    request: Request;
    senders: SenderPolicy;
  }): MessageDefinition<Request, Response> => definition;
}

export interface StatusResponse {
  /** The extension's version (from the manifest). */
  readonly version: string;
  /** How many of the user's own keys are stored. */
  readonly keys: number;
  /** True while no key is unlocked for use (also when there is no key at all). */
  readonly locked: boolean;
  /** The key uploads are encrypted to and downloads decrypted with by default; null without keys. */
  readonly defaultKey: VaultKey | null;
}

/** One of the user's own keys as the vault shows it: public facts only, dates as epoch ms. */
export interface VaultKey {
  readonly fingerprint: string;
  readonly keyId: string;
  readonly version: 4 | 6;
  /** Human name of the primary key's algorithm, e.g. "Ed25519", "RSA 3072". */
  readonly algorithm: string;
  readonly userIds: readonly string[];
  readonly emails: readonly string[];
  readonly created: number;
  readonly expires: number | null;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly canEncrypt: boolean;
  readonly isDefault: boolean;
  /** Unlocked for use in this browser session. */
  readonly unlocked: boolean;
  /** When the idle auto-lock will lock it if it stays unused; null while locked. */
  readonly autoLockAt: number | null;
}

/** What a key file holds, before anything is imported (`vault.inspectImport`). */
export interface ImportCandidate {
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  readonly algorithm: string;
  readonly version: 4 | 6;
  /** A private key (only private keys can be imported into the vault). */
  readonly isPrivate: boolean;
  /** Its secret parts are passphrase-protected: importing asks for that passphrase. */
  readonly isLocked: boolean;
  readonly alreadyInVault: boolean;
}

export interface Settings {
  /** The Keyward keyserver keys are published to; default the local one `npm start` runs. */
  readonly keyserverUrl: string;
  /** Unlocked keys lock after this many minutes without use. */
  readonly autoLockMinutes: number;
  /** Shown in every Keyward dialog inside web pages, so a page cannot fake one (anti-spoofing). */
  readonly securityPhrase: string;
  /** Where other people's keys are looked up by address, in this order (sources left out are not asked). */
  readonly lookupOrder: readonly LookupSource[];
}

/** Whether Keyward encrypts uploads on a site (an origin such as `https://files.example.com`). */
/** How encrypted uploads are named: `name.ext.pgp` (default), `name.ext.gpg`, or the original name unchanged. */
export const OUTPUT_NAMES = ['pgp', 'gpg', 'same'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** A site's upload options. */
export interface SiteOptions {
  /** Keyward's own file picker opens instead of the page's, so page scripts never hold the plaintext File. */
  readonly strict: boolean;
  readonly outputName: OutputName;
  /** Who else uploads are encrypted for (groups by id, people by address); the user's own key always is. */
  readonly recipients: SiteRecipients;
}

export interface SiteState extends SiteOptions {
  readonly origin: string;
  readonly enabled: boolean;
  /** Who uploads there are encrypted for, as people read it ("you (Alice <…>)", "Bob <…> (Design team)"). */
  readonly encryptedFor: readonly string[];
  /** What would stop an upload there now (a missing, revoked or changed key); empty when all is well. */
  readonly recipientProblems: readonly string[];
}

/** Where a contact's key came from. */
export type ContactSource = 'file' | 'paste' | 'keyserver' | 'wkd' | 'keys.openpgp.org' | 'group';

/** Someone else's public key in the contacts keyring: public facts only, dates as epoch ms. */
export interface Contact {
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  readonly emails: readonly string[];
  readonly algorithm: string;
  readonly created: number;
  readonly expires: number | null;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly canEncrypt: boolean;
  readonly source: ContactSource;
  readonly addedAt: number;
  /** When a source last confirmed (or updated) this key. */
  readonly refreshedAt: number;
  /** The user compared the fingerprint out of band and said it matches. */
  readonly verified: boolean;
  /** The addresses this key is pinned for (used for). */
  readonly pinnedFor: readonly string[];
}

/** A different key offered for an address that has a pinned key: never used until the user decides. */
export interface KeyChange {
  readonly email: string;
  readonly pinned: string;
  readonly offered: string;
  readonly offeredUserIds: readonly string[];
  readonly source: ContactSource;
  readonly seenAt: number;
}

export interface ContactsView {
  readonly contacts: readonly Contact[];
  readonly changes: readonly KeyChange[];
  /** Addresses pinned to a fingerprint (from a group file) whose key has not been found yet. */
  readonly awaiting: readonly { readonly email: string; readonly fingerprint: string }[];
}

/** A named recipient list ("Design team"); members by address, with the fingerprint expected for each if known. */
export interface Group {
  readonly id: string;
  readonly name: string;
  readonly members: readonly { readonly email: string; readonly fingerprint?: string }[];
}

/** Who a site's uploads go to besides the user's own key. */
export interface SiteRecipients {
  readonly groups: readonly string[];
  readonly people: readonly string[];
}

/** Whether a key has a recoverable copy (escrow) on a keyserver. */
export type EscrowState =
  | { readonly escrowed: false }
  | { readonly escrowed: true; readonly address: string; readonly keyserverUrl: string };

export type AddressState = 'unpublished' | 'pending' | 'published';

/** A key's publication on the configured keyserver, address by address. */
export interface Publication {
  readonly keyserverUrl: string;
  readonly fingerprint: string;
  readonly addresses: readonly { readonly email: string; readonly state: AddressState }[];
  /** When the keyserver last told us these states (epoch ms). */
  readonly checkedAt: number;
}

/** Limits on what a page may send; the background re-checks everything that matters in the vault. */
const MAX_PASSPHRASE_LENGTH = 1024;
/** A key file larger than this is not a key anyone should import (flooded certificates). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const fingerprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/, 'a v4 (40 hex) or v6 (64 hex) fingerprint')
  .transform((s) => s.toUpperCase());
const passphrase = z.string().min(1, 'a passphrase is required').max(MAX_PASSPHRASE_LENGTH);
const keyFile = z.union([
  z.string().min(1).max(MAX_IMPORT_BYTES),
  z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= MAX_IMPORT_BYTES, {
    message: `a key file of 1 byte to ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`,
  }),
]);
/** An http(s) origin: scheme, host and port, nothing else. */
const siteOrigin = z
  .url({ protocol: /^https?$/ })
  .max(300)
  .refine((u) => new URL(u).origin === u.replace(/\/$/, ''), 'an origin such as https://files.example.com')
  .transform((u) => new URL(u).origin);
const settingsSchema = z.strictObject({
  keyserverUrl: z
    .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
    .max(2048)
    // Plain http only to this machine: keys fetched over a network without TLS could be swapped on the way.
    .refine((u) => u.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(u), {
      message: 'a keyserver on another machine needs https://',
    })
    .transform((u) => u.replace(/\/+$/, '')),
  autoLockMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  securityPhrase: z.string().trim().min(1).max(64),
  lookupOrder: z
    .array(z.enum(LOOKUP_SOURCES))
    .max(LOOKUP_SOURCES.length)
    .refine((list) => new Set(list).size === list.length, 'each lookup source at most once'),
});
const email = z.string().trim().min(3).max(254);
/** The 8-digit code a keyserver mails (people may type it with spaces). */
const oneTimeCode = z
  .string()
  .transform((c) => c.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{8}$/, 'the 8-digit code from the mail'));
const groupMembers = z.array(z.strictObject({ email, fingerprint: z.string().max(80).optional() })).max(200);
const recipientsSchema = z.strictObject({
  groups: z.array(z.string().min(1).max(64)).max(50),
  people: z.array(email).max(200),
});

export const protocol = {
  'status.get': message<StatusResponse>()({ request: z.strictObject({}), senders: 'extension-page' }),

  'vault.list': message<{ keys: VaultKey[] }>()({ request: z.strictObject({}), senders: 'extension-page' }),
  /** Creates a key in Keyward's profile, locked with `passphrase`; it is unlocked afterwards (the user just typed it). */
  'vault.create': message<{ key: VaultKey }>()({
    request: z.strictObject({
      name: z.string().max(100),
      email: z.string().min(3).max(254),
      passphrase,
      version: z.union([z.literal(4), z.literal(6)]).default(4),
    }),
    senders: 'extension-page',
  }),
  /** What a key file (armored or binary) holds; imports nothing. */
  'vault.inspectImport': message<{ keys: ImportCandidate[] }>()({
    request: z.strictObject({ data: keyFile }),
    senders: 'extension-page',
  }),
  /**
   * Imports every private key of the file. A locked key needs its `passphrase` and keeps it (re-locked with
   * Keyward's Argon2id profile); an unprotected one needs `newPassphrase` to be locked with before it is stored.
   */
  'vault.import': message<{ keys: VaultKey[] }>()({
    request: z.strictObject({
      data: keyFile,
      passphrase: passphrase.optional(),
      newPassphrase: passphrase.optional(),
    }),
    senders: 'extension-page',
  }),
  /** Unlocks one key (default: the default key). Wrong passphrase: `forbidden`; too many: `rate_limited`. */
  'vault.unlock': message<{ key: VaultKey }>()({
    request: z.strictObject({ fingerprint: fingerprint.optional(), passphrase }),
    senders: 'extension-page',
  }),
  /** Locks one key, or every key when no fingerprint is given. */
  'vault.lock': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint: fingerprint.optional() }),
    senders: 'extension-page',
  }),
  /**
   * Re-locks the stored key under a new passphrase; the old one stops working. A key with a recoverable copy has
   * that copy's passphrase changed first (`escrow: 'updated'`), unless the copy's passphrase was already changed
   * on another device (`'differs'`: only this device changes).
   */
  'vault.changePassphrase': message<{ key: VaultKey; escrow: 'updated' | 'not-escrowed' | 'differs' }>()({
    request: z.strictObject({ fingerprint, oldPassphrase: passphrase, newPassphrase: passphrase }),
    senders: 'extension-page',
  }),
  'vault.setDefault': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),
  /** Deletes a key from the vault for good (the page asks for confirmation first). */
  'vault.delete': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),
  /**
   * Saves a key as an armored file download, started by the background so no page holds private material:
   * `public`; `private` (locked with Keyward's Argon2id profile, for another Keyward or an RFC 9580 client);
   * `private-gnupg` (re-locked with an S2K GnuPG 2.2 reads, which needs the key's passphrase).
   */
  'vault.export': message<{ filename: string }>()({
    request: z.discriminatedUnion('part', [
      z.strictObject({ fingerprint, part: z.literal('public') }),
      z.strictObject({ fingerprint, part: z.literal('private') }),
      z.strictObject({ fingerprint, part: z.literal('private-gnupg'), passphrase }),
    ]),
    senders: 'extension-page',
  }),

  /** Whether the key is escrowed, under which address and where. */
  'escrow.state': message<EscrowState>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),
  /** Mails a one-time code to the address (answered alike whether or not the keyserver knows it). */
  'escrow.requestCode': message<Record<string, never>>()({
    request: z.strictObject({ email, purpose: z.enum(['register', 'release', 'recover']) }),
    senders: 'extension-page',
  }),
  /**
   * Escrows the key on the configured keyserver: `passphrase` must be the key's own, `code` the mailed
   * "register" code. Answers the recovery code, to be shown to the user once (extension pages only).
   */
  'escrow.create': message<{ recoveryPhrase: string }>()({
    request: z.strictObject({ fingerprint, passphrase, code: oneTimeCode }),
    senders: 'extension-page',
  }),
  /** Opting out: deletes the keyserver's copy of the key (the key's passphrase logs in to do it). */
  'escrow.remove': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint, passphrase }),
    senders: 'extension-page',
  }),
  /** "I already have a Keyward key": the key back with address and passphrase (and the mailed code if asked). */
  'escrow.restore': message<{ key: VaultKey }>()({
    request: z.strictObject({ email, passphrase, code: oneTimeCode.optional() }),
    senders: 'extension-page',
  }),
  /** The key back with the recovery code and a mailed code, under a new passphrase; answers the new recovery code. */
  'escrow.recover': message<{ key: VaultKey; recoveryPhrase: string }>()({
    request: z.strictObject({
      email,
      recoveryPhrase: z.string().min(1).max(1000),
      code: oneTimeCode,
      newPassphrase: passphrase,
    }),
    senders: 'extension-page',
  }),

  /** New device: starts a hand-over; answers the 7 words to show (and to put in a QR code). */
  'handover.start': message<{ words: string }>()({ request: z.strictObject({}), senders: 'extension-page' }),
  /** New device: whether the other device has sent the key. */
  'handover.check': message<{ status: 'waiting' | 'received' | 'expired' | 'none' }>()({
    request: z.strictObject({}),
    senders: 'extension-page',
  }),
  /** New device: opens what arrived and adds the key, unlocked with its passphrase. */
  'handover.finish': message<{ key: VaultKey }>()({
    request: z.strictObject({ passphrase }),
    senders: 'extension-page',
  }),
  /** Old device: sends this key (locked) to the new device showing these words. */
  'handover.send': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint, words: z.string().min(1).max(500) }),
    senders: 'extension-page',
  }),

  'sites.get': message<SiteState>()({
    request: z.strictObject({ origin: siteOrigin }),
    senders: 'extension-page',
  }),
  /** Opts a site in or out. Opting in needs the site's host permission, which the page asks for first. */
  'sites.setEnabled': message<SiteState>()({
    request: z.strictObject({ origin: siteOrigin, enabled: z.boolean() }),
    senders: 'extension-page',
  }),

  /** Changes an opted-in site's options: strict mode, the name of encrypted files. */
  'sites.update': message<SiteState>()({
    request: z.strictObject({
      origin: siteOrigin,
      strict: z.boolean().optional(),
      outputName: z.enum(OUTPUT_NAMES).optional(),
      recipients: recipientsSchema.optional(),
    }),
    senders: 'extension-page',
  }),

  /** Other people's keys: the contacts keyring, key changes waiting for a decision, fingerprints awaited. */
  'contacts.list': message<ContactsView>()({ request: z.strictObject({}), senders: 'extension-page' }),
  /** Imports every public key of a file or pasted armor (private keys are refused). */
  'contacts.import': message<{ added: string[]; changed: string[] }>()({
    request: z.strictObject({ data: keyFile, source: z.enum(['file', 'paste']) }),
    senders: 'extension-page',
  }),
  /** Looks an address up in the configured sources; not found says where it looked. */
  'contacts.lookup': message<{ fingerprint: string; changed: string[] }>()({
    request: z.strictObject({ email }),
    senders: 'extension-page',
  }),
  /** Asks the sources again about every contact (or one key). */
  'contacts.refresh': message<{ refreshed: number; problems: string[] }>()({
    request: z.strictObject({ fingerprint: fingerprint.optional() }),
    senders: 'extension-page',
  }),
  /** The user's decision on a key change for an address: use the offered key, or keep the pinned one. */
  'contacts.decide': message<Record<string, never>>()({
    request: z.strictObject({ email, accept: z.boolean() }),
    senders: 'extension-page',
  }),
  /** Marks a contact's fingerprint as checked out of band (or not). */
  'contacts.verify': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint, verified: z.boolean() }),
    senders: 'extension-page',
  }),
  'contacts.remove': message<Record<string, never>>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),

  'groups.list': message<{ groups: Group[] }>()({ request: z.strictObject({}), senders: 'extension-page' }),
  /** Creates a group (no id) or replaces one. */
  'groups.save': message<Group>()({
    request: z.strictObject({
      id: z.string().min(1).max(64).optional(),
      name: z.string().max(200),
      members: groupMembers,
    }),
    senders: 'extension-page',
  }),
  'groups.remove': message<Record<string, never>>()({
    request: z.strictObject({ id: z.string().min(1).max(64) }),
    senders: 'extension-page',
  }),
  /** Saves the group as a `.keyward-group.json` download, with each member's pinned fingerprint. */
  'groups.export': message<{ filename: string }>()({
    request: z.strictObject({ id: z.string().min(1).max(64) }),
    senders: 'extension-page',
  }),
  /** Reads a group file; its fingerprints are pinned for addresses that have no key pinned yet. */
  'groups.import': message<Group>()({
    request: z.strictObject({
      text: z
        .string()
        .min(1)
        .max(256 * 1024),
    }),
    senders: 'extension-page',
  }),

  'settings.get': message<Settings>()({ request: z.strictObject({}), senders: 'extension-page' }),
  /** Changes some settings; answers all of them. A keyserver on a new host needs its host permission first. */
  'settings.update': message<Settings>()({ request: settingsSchema.partial(), senders: 'extension-page' }),

  /** Uploads the public key to the keyserver and asks it to mail a verification link to each unpublished address. */
  'publish.key': message<Publication>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),
  /** The states the keyserver last reported for this key, without asking it again; null if never published. */
  'publish.last': message<{ publication: Publication | null }>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),
  /** Asks the keyserver for the current state of each address (no mail is sent). */
  'publish.status': message<Publication>()({
    request: z.strictObject({ fingerprint }),
    senders: 'extension-page',
  }),

  /** Digital legacy (docs/legacy.md): the owner's grants and the grants naming the user's keys. */
  ...legacyProtocol,
};

export type Protocol = typeof protocol;
export type MessageType = keyof Protocol;
/** What a page passes to `sendMessage`. */
export type RequestInput<K extends MessageType> = z.input<Protocol[K]['request']>;
/** What a handler receives, after parsing. */
export type RequestOf<K extends MessageType> = z.output<Protocol[K]['request']>;
export type ResponseOf<K extends MessageType> = NonNullable<Protocol[K]['response']>;

/** The shape of every message on the wire; `type` is bounded so an error message can quote it. */
export const envelopeSchema = z.strictObject({ type: z.string().min(1).max(64), payload: z.unknown() });
export type Envelope = z.infer<typeof envelopeSchema>;

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(protocol, type);
}
