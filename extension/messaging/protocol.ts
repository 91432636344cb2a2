import { z } from 'zod';
import type { KeyserverCheck } from '../directory/keyserver-check';
import { emailSchema, fingerprintSchema } from '../../shared/identity';
import { CODE_PURPOSES } from '../../shared/escrow/escrow-api';
import { LOOKUP_SOURCES } from '../../shared/recipients/key-lookup';
import {
  OUTPUT_NAMES,
  type ContactsView,
  type EscrowState,
  type Group,
  type ImportCandidate,
  type Publication,
  type Settings,
  type SiteState,
  type StatusResponse,
  type VaultKey,
  type OwnerGrantItem,
  type OwnerGrantsView,
  type TrustedGrantItem,
  type TrustedGrantsView,
} from '../model';

/**
 * The runtime-message protocol from Keyward's own pages (popup, options, decrypt, unlock) to the background:
 * message name -> request schema -> response type, carried by the protocol channel (./protocol-channel.ts). The
 * background parses every request with its schema before a handler sees it; the response type is what the handler
 * resolves to. Every message is accepted only from Keyward's own pages, never from a content script (whose sender
 * carries the web page's URL): content scripts have channels of their own (./upload-channel.ts).
 */

export interface MessageDefinition<Request extends z.ZodType, Response> {
  readonly request: Request;
  /** Type-only: what the background answers. Never set at run time. */
  readonly response?: Response;
}

/** Ties a response type to a request schema: `message<Response>(request)`. */
function message<Response>() {
  return <Request extends z.ZodType>(request: Request): MessageDefinition<Request, Response> => ({ request });
}

/** Limits on what a page may send; the background re-checks everything that matters in the vault. */
const MAX_PASSPHRASE_LENGTH = 1024;
/** A key file larger than this is not a key anyone should import (flooded certificates). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const fingerprint = fingerprintSchema;
// Digital legacy's fields.
const grantId = z.string().regex(/^[0-9a-f]{32}$/, 'a grant id (32 hex digits)');
const waitingDays = z.number().int().min(1, 'at least 1 day').max(90, 'at most 90 days');
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
const email = emailSchema;
/** The 8-digit code a keyserver mails (people may type it with spaces). */
const oneTimeCode = z
  .string()
  .transform((c) => c.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{8}$/, 'the 8-digit code from the mail'));
const groupMembers = z.array(z.strictObject({ email, fingerprint: fingerprint.optional() })).max(200);
const recipientsSchema = z.strictObject({
  groups: z.array(z.string().min(1).max(64)).max(50),
  people: z.array(email).max(200),
});

export const protocol = {
  'status.get': message<StatusResponse>()(z.strictObject({})),

  'vault.list': message<{ keys: VaultKey[] }>()(z.strictObject({})),
  /** Creates a key in Keyward's profile, locked with `passphrase`; it is unlocked afterwards (the user just typed it). */
  'vault.create': message<{ key: VaultKey }>()(
    z.strictObject({
      name: z.string().max(100),
      email: z.string().min(3).max(254),
      passphrase,
      version: z.union([z.literal(4), z.literal(6)]).default(4),
    }),
  ),
  /** What a key file (armored or binary) holds; imports nothing. */
  'vault.inspectImport': message<{ keys: ImportCandidate[] }>()(z.strictObject({ data: keyFile })),
  /**
   * Imports every private key of the file. A locked key needs its `passphrase` and keeps it (re-locked with
   * Keyward's Argon2id profile); an unprotected one needs `newPassphrase` to be locked with before it is stored.
   */
  'vault.import': message<{ keys: VaultKey[] }>()(
    z.strictObject({
      data: keyFile,
      passphrase: passphrase.optional(),
      newPassphrase: passphrase.optional(),
    }),
  ),
  /** Unlocks one key (default: the default key). Wrong passphrase: `forbidden`; too many: `rate_limited`. */
  'vault.unlock': message<{ key: VaultKey }>()(
    z.strictObject({ fingerprint: fingerprint.optional(), passphrase }),
  ),
  /** Locks one key, or every key when no fingerprint is given. */
  'vault.lock': message<Record<string, never>>()(z.strictObject({ fingerprint: fingerprint.optional() })),
  /**
   * Re-locks the stored key under a new passphrase; the old one stops working. A key with a recoverable copy has
   * that copy's passphrase changed first (`escrow: 'updated'`), unless the copy's passphrase was already changed
   * on another device (`'differs'`: only this device changes).
   */
  'vault.changePassphrase': message<{ key: VaultKey; escrow: 'updated' | 'not-escrowed' | 'differs' }>()(
    z.strictObject({ fingerprint, oldPassphrase: passphrase, newPassphrase: passphrase }),
  ),
  'vault.setDefault': message<Record<string, never>>()(z.strictObject({ fingerprint })),
  /** Deletes a key from the vault for good (the page asks for confirmation first). */
  'vault.delete': message<Record<string, never>>()(z.strictObject({ fingerprint })),
  /**
   * Saves a key as an armored file download, started by the background so no page holds private material:
   * `public`; `private` (locked with Keyward's Argon2id profile, for another Keyward or an RFC 9580 client);
   * `private-gnupg` (re-locked with an S2K GnuPG 2.2 reads, which needs the key's passphrase).
   */
  'vault.export': message<{ filename: string }>()(
    z.discriminatedUnion('part', [
      z.strictObject({ fingerprint, part: z.literal('public') }),
      z.strictObject({ fingerprint, part: z.literal('private') }),
      z.strictObject({ fingerprint, part: z.literal('private-gnupg'), passphrase }),
    ]),
  ),

  /** Whether the key is escrowed, under which address and where. */
  'escrow.state': message<EscrowState>()(z.strictObject({ fingerprint })),
  /** Mails a one-time code to the address (answered alike whether or not the keyserver knows it). */
  'escrow.requestCode': message<Record<string, never>>()(
    z.strictObject({ email, purpose: z.enum(CODE_PURPOSES) }),
  ),
  /**
   * Escrows the key on the configured keyserver: `passphrase` must be the key's own, `code` the mailed
   * "register" code. Answers the recovery code, to be shown to the user once (extension pages only).
   */
  'escrow.create': message<{ recoveryPhrase: string }>()(
    z.strictObject({ fingerprint, passphrase, code: oneTimeCode }),
  ),
  /** Opting out: deletes the keyserver's copy of the key (the key's passphrase logs in to do it). */
  'escrow.remove': message<Record<string, never>>()(z.strictObject({ fingerprint, passphrase })),
  /** "I already have a Keyward key": the key back with address and passphrase (and the mailed code if asked). */
  'escrow.restore': message<{ key: VaultKey }>()(
    z.strictObject({ email, passphrase, code: oneTimeCode.optional() }),
  ),
  /** The key back with the recovery code and a mailed code, under a new passphrase; answers the new recovery code. */
  'escrow.recover': message<{ key: VaultKey; recoveryPhrase: string }>()(
    z.strictObject({
      email,
      recoveryPhrase: z.string().min(1).max(1000),
      code: oneTimeCode,
      newPassphrase: passphrase,
    }),
  ),

  /** New device: starts a hand-over; answers the 7 words to show (and to put in a QR code). */
  'handover.start': message<{ words: string }>()(z.strictObject({})),
  /** New device: whether the other device has sent the key. */
  'handover.check': message<{ status: 'waiting' | 'received' | 'expired' | 'none' }>()(z.strictObject({})),
  /** New device: opens what arrived and adds the key, unlocked with its passphrase. */
  'handover.finish': message<{ key: VaultKey }>()(z.strictObject({ passphrase })),
  /** Old device: sends this key (locked) to the new device showing these words. */
  'handover.send': message<Record<string, never>>()(
    z.strictObject({ fingerprint, words: z.string().min(1).max(500) }),
  ),

  'sites.get': message<SiteState>()(z.strictObject({ origin: siteOrigin })),
  /** Opts a site in or out. Opting in needs the site's host permission, which the page asks for first. */
  'sites.setEnabled': message<SiteState>()(z.strictObject({ origin: siteOrigin, enabled: z.boolean() })),

  /** Changes an opted-in site's options: strict mode, the name of encrypted files. */
  'sites.update': message<SiteState>()(
    z.strictObject({
      origin: siteOrigin,
      strict: z.boolean().optional(),
      outputName: z.enum(OUTPUT_NAMES).optional(),
      forGnuPG: z.boolean().optional(),
      recipients: recipientsSchema.optional(),
    }),
  ),

  /** Other people's keys: the contacts keyring, key changes waiting for a decision, fingerprints awaited. */
  'contacts.list': message<ContactsView>()(z.strictObject({})),
  /** Imports every public key of a file or pasted armor (private keys are refused). */
  'contacts.import': message<{ added: string[]; changed: string[] }>()(
    z.strictObject({ data: keyFile, source: z.enum(['file', 'paste']) }),
  ),
  /** Looks an address up in the configured sources; not found says where it looked. */
  'contacts.lookup': message<{ fingerprint: string; changed: string[] }>()(z.strictObject({ email })),
  /** Asks the sources again about every contact (or one key). */
  'contacts.refresh': message<{ refreshed: number; problems: string[] }>()(
    z.strictObject({ fingerprint: fingerprint.optional() }),
  ),
  /** The user's decision on a key change for an address: use the offered key, or keep the pinned one. */
  'contacts.decide': message<Record<string, never>>()(z.strictObject({ email, accept: z.boolean() })),
  /** Marks a contact's fingerprint as checked out of band (or not). */
  'contacts.verify': message<Record<string, never>>()(z.strictObject({ fingerprint, verified: z.boolean() })),
  'contacts.remove': message<Record<string, never>>()(z.strictObject({ fingerprint })),

  'groups.list': message<{ groups: Group[] }>()(z.strictObject({})),
  /** Creates a group (no id) or replaces one. */
  /**
   * Saves a group; each member's key is looked up and pinned at once, and `problems` says who has none that can be
   * used (uploads to the group would stop on them).
   */
  'groups.save': message<Group & { readonly problems: readonly string[] }>()(
    z.strictObject({
      id: z.string().min(1).max(64).optional(),
      name: z.string().max(200),
      members: groupMembers,
    }),
  ),
  'groups.remove': message<Record<string, never>>()(z.strictObject({ id: z.string().min(1).max(64) })),
  /** Saves the group as a `.keyward-group.json` download, with each member's pinned fingerprint. */
  'groups.export': message<{ filename: string }>()(z.strictObject({ id: z.string().min(1).max(64) })),
  /** Reads a group file; its fingerprints are pinned for addresses that have no key pinned yet. */
  'groups.import': message<Group>()(
    z.strictObject({
      text: z
        .string()
        .min(1)
        .max(256 * 1024),
    }),
  ),

  'settings.get': message<Settings>()(z.strictObject({})),
  /** Whether a keyserver answers at this address (its /healthz), before the user sets up a key with it. */
  'keyserver.check': message<KeyserverCheck>()(z.strictObject({ url: settingsSchema.shape.keyserverUrl })),
  /** Changes some settings; answers all of them. A keyserver on a new host needs its host permission first. */
  'settings.update': message<Settings>()(settingsSchema.partial()),

  /** Uploads the public key to the keyserver and asks it to mail a verification link to each unpublished address. */
  'publish.key': message<Publication>()(z.strictObject({ fingerprint })),
  /** The states the keyserver last reported for this key, without asking it again; null if never published. */
  'publish.last': message<{ publication: Publication | null }>()(z.strictObject({ fingerprint })),
  /** Asks the keyserver for the current state of each address (no mail is sent). */
  'publish.status': message<Publication>()(z.strictObject({ fingerprint })),

  // Digital legacy (docs/legacy.md): the owner's grants and the grants naming the user's keys.

  /** The owner's grants, listed with each unlocked key (a signed request); locked keys are named instead. */
  'legacy.ownerGrants': message<OwnerGrantsView>()(z.strictObject({})),
  /**
   * Names a trusted person: their key is looked up and pinned like any contact's, the owner's key is sealed for
   * it on this device, and the grant signed by the owner's key is uploaded.
   */
  'legacy.create': message<{ grant: OwnerGrantItem }>()(
    z.strictObject({ fingerprint: fingerprint, trustedAddress: email, waitingDays }),
  ),
  /** A new version of a grant with another waiting period (cancels a pending request). */
  'legacy.change': message<{ grant: OwnerGrantItem }>()(
    z.strictObject({ grantId, ownerFingerprint: fingerprint, waitingDays }),
  ),
  'legacy.revoke': message<{ grant: OwnerGrantItem }>()(
    z.strictObject({ grantId, ownerFingerprint: fingerprint }),
  ),
  /** Refuses a pending request, signed with the owner's key. */
  'legacy.refuse': message<{ grant: OwnerGrantItem }>()(
    z.strictObject({ grantId, requestId: grantId, ownerFingerprint: fingerprint }),
  ),
  /** The grants naming one of the user's unlocked keys. */
  'legacy.trustedGrants': message<TrustedGrantsView>()(z.strictObject({})),
  /** Asks for access, signed with the trusted key the grant names. */
  'legacy.requestAccess': message<{ grant: TrustedGrantItem }>()(
    z.strictObject({ grantId, trustedFingerprint: fingerprint }),
  ),
  /**
   * Once released: fetches the payload, opens it with the trusted key (every signature checked), and imports the
   * owner's key into the vault, locked with `newPassphrase`.
   */
  'legacy.importReleased': message<{ fingerprint: string; label: string }>()(
    z.strictObject({ grantId, trustedFingerprint: fingerprint, newPassphrase: passphrase }),
  ),
};

export type Protocol = typeof protocol;
export type MessageType = keyof Protocol;
/** What a page passes to `sendMessage`. */
export type RequestInput<K extends MessageType> = z.input<Protocol[K]['request']>;
/** What a handler receives, after parsing. */
export type RequestOf<K extends MessageType> = z.output<Protocol[K]['request']>;
export type ResponseOf<K extends MessageType> = NonNullable<Protocol[K]['response']>;

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(protocol, type);
}
