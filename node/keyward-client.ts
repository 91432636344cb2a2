import { systemClock, type Clock } from '../shared/clock';
import { KeywardError } from '../shared/errors';
import { Email } from '../shared/identity';
import { encryptFile, readPublicKeys, type KeyInput, type UnlockedKey } from '../shared/openpgp';
import type { Group } from '../shared/recipients/group-file';
import {
  createKeyLookup,
  DEFAULT_LOOKUP_ORDER,
  notFoundError,
  type LookupSource,
} from '../shared/recipients/key-lookup';
import {
  decideChange,
  pinExpected,
  pinnedKeyFor,
  recheckAddress,
  removeKey,
  takeKey,
  unpinAddress,
} from '../shared/recipients/pinned-keyring';
import { serialQueue } from '../shared/serial-queue';
import { decrypt, type DecryptOptions, type Decrypted } from './decrypt';
import { inspect, type Inspection } from './inspect';
import { parseKeyringData, type KeyringData, type KeyringStore } from './keyring-store';
import { describeKeyring, type KeyringView } from './keyring-view';
import { allFailed, usableOrThrow, type RecipientKey } from './recipient-verdict';
import { toWebStream, type ByteInput } from './to-web-stream';

export type { RecipientKey };

export interface KeywardOptions {
  /** The pinned keyring: `fileKeyring(path)`, or a store of the app's own. */
  readonly keyring: KeyringStore;
  /** A Keyward keyserver (VKS), needed when `sources` includes 'keyserver'. */
  readonly keyserverUrl?: string;
  /**
   * Where to look addresses up, in order. Default: the Keyward keyserver (when `keyserverUrl` is set), the
   * address's own domain (WKD), keys.openpgp.org. Each source asked learns which address is looked up.
   */
  readonly sources?: readonly LookupSource[];
  /**
   * How long a check of an address stays good. 0 (default): every encryption asks the sources again first, so a
   * revocation or a replaced key is noticed at once; a source being down falls back to the pinned key.
   */
  readonly recheckAfterMs?: number;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
  /** Tests point WKD at a local server. Default: the draft's advanced and direct URLs (shared/wkd.ts). */
  readonly wkdUrls?: (email: Email) => { advanced: string; direct: string };
  readonly keysOpenpgpOrgUrl?: string;
}

export interface EncryptOptions {
  /** Addresses and groups (`readGroupFile`); every address once. */
  readonly to: readonly (string | Group)[];
  readonly plaintext: ByteInput;
  /** Stored inside the encryption; the extension restores it when it decrypts a download. */
  readonly filename?: string;
  /** The app's own key (`readPrivateKey`): readers see who sent the file. */
  readonly signWith?: UnlockedKey;
  /** When known: a plaintext stream that ends short of it (or runs past it) fails instead of encrypting part. */
  readonly plaintextLength?: number;
  /** Ask no source: only keys already pinned are used. */
  readonly offline?: boolean;
}

export interface EncryptResult {
  /** A binary OpenPGP message, streamed; an error in the plaintext stream errors it. */
  readonly ciphertext: ReadableStream<Uint8Array>;
  readonly recipients: readonly RecipientKey[];
  /** seipdv2 (AES-256-GCM) when every recipient's key advertises it, else seipdv1 (what GnuPG 2.2 reads). */
  readonly encryption: 'seipdv2' | 'seipdv1';
}

export interface LookupReport extends RecipientKey {
  /** This lookup pinned the key (first use); false when it was pinned before. */
  readonly newlyPinned: boolean;
  /** One line per source asked. */
  readonly attempts: readonly string[];
}

/**
 * Encrypts to people by address, from a server: looks their keys up (same sources and rules as the extension),
 * pins them on first use in the app's keyring, and refuses, with an error the app must act on, when a pinned
 * address offers a different key or its key is revoked or expired.
 */
export function createKeyward(options: KeywardOptions) {
  const clock = options.clock ?? systemClock;
  const sources = options.sources ?? defaultSources(options.keyserverUrl);
  if (sources.includes('keyserver') && !options.keyserverUrl) {
    throw new KeywardError(
      'invalid_input',
      "The lookup sources include 'keyserver' but no keyserverUrl was given.",
    );
  }
  const lookup = createKeyLookup({
    fetch: options.fetch ?? fetch,
    clock,
    keyserverUrl: () => Promise.resolve((options.keyserverUrl ?? '').replace(/\/+$/, '')),
    order: () => Promise.resolve(sources),
    ...(options.wkdUrls ? { wkdUrls: options.wkdUrls } : {}),
    ...(options.keysOpenpgpOrgUrl ? { keysOpenpgpOrgUrl: options.keysOpenpgpOrgUrl } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const recheckAfterMs = options.recheckAfterMs ?? 0;
  const serial = serialQueue();

  /** Load, change, save, one at a time; what was learnt is saved even when the work then refuses. */
  const mutate = <T>(work: (ring: KeyringData) => Promise<T>) =>
    serial(async () => {
      const ring = parseKeyringData(await options.keyring.load(), 'given to Keyward');
      try {
        return await work(ring);
      } finally {
        await options.keyring.save(ring);
      }
    });
  const read = () => serial(async () => parseKeyringData(await options.keyring.load(), 'given to Keyward'));

  function needsCheck(ring: KeyringData, email: Email): boolean {
    const pinned = ring.pins[email];
    const entry = pinned ? ring.keys[pinned.fingerprint] : undefined;
    return !entry || clock.now().getTime() - entry.refreshedAt >= recheckAfterMs;
  }

  async function recipientsIn(ring: KeyringData, to: EncryptOptions['to'], offline: boolean) {
    const emails: Email[] = [];
    for (const entry of to) {
      if (typeof entry === 'string') emails.push(Email.parse(entry));
      else {
        // A group file's fingerprints are pinned for addresses with nothing pinned yet, never over a pin.
        pinExpected(
          ring,
          entry.members.flatMap((m) =>
            m.fingerprint ? [{ email: m.email, fingerprint: m.fingerprint }] : [],
          ),
        );
        emails.push(...entry.members.map((m) => m.email));
      }
    }
    const keys: RecipientKey[] = [];
    for (const email of new Set(emails)) {
      const checked =
        !offline && needsCheck(ring, email)
          ? (await recheckAddress(ring, email, lookup, clock.now())).result
          : null;
      keys.push(usableOrThrow(await pinnedKeyFor(ring, email, clock.now()), ring, checked, sources));
    }
    return keys;
  }

  return {
    /**
     * Looks an address up now and pins what it finds on first use. Throws `not_found` when no source has a usable
     * key (and nothing is pinned), and the same errors as `encrypt` for a changed or unusable key.
     */
    lookup: (address: string): Promise<LookupReport> =>
      mutate(async (ring) => {
        const email = Email.parse(address);
        const before = ring.pins[email]?.fingerprint;
        const { result } = await recheckAddress(ring, email, lookup, clock.now());
        const pinned = await pinnedKeyFor(ring, email, clock.now());
        if (pinned.status === 'none' && !allFailed(result, sources)) throw notFoundError(email, result);
        const key = usableOrThrow(pinned, ring, result, sources);
        return { ...key, newlyPinned: before !== key.fingerprint, attempts: result.attempts };
      }),

    /** The keys `encrypt` would use for these addresses and groups, checked as it would check them. */
    recipients: (to: EncryptOptions['to'], options: { offline?: boolean } = {}) =>
      mutate((ring) => recipientsIn(ring, to, options.offline ?? false)),

    /** Encrypts to every address and group member, streaming; refuses before reading any plaintext. */
    async encrypt(encrypt: EncryptOptions): Promise<EncryptResult> {
      const recipients = await mutate((ring) => recipientsIn(ring, encrypt.to, encrypt.offline ?? false));
      if (recipients.length === 0) throw new KeywardError('invalid_input', 'No recipient was given.');
      const encrypted = await encryptFile({
        plaintext: toWebStream(encrypt.plaintext),
        recipients: recipients.map((r) => r.armored),
        date: clock.now(),
        ...(encrypt.filename === undefined ? {} : { filename: encrypt.filename }),
        ...(encrypt.signWith === undefined ? {} : { signingKey: encrypt.signWith }),
        ...(encrypt.plaintextLength === undefined ? {} : { plaintextLength: encrypt.plaintextLength }),
      });
      return { ciphertext: encrypted.ciphertext, recipients, encryption: encrypted.encryption };
    },

    /** `decrypt`, with signatures checked against every pinned key too (and named after them). */
    async decrypt(decryptOptions: DecryptOptions): Promise<Decrypted> {
      const pinned = Object.values((await read()).keys).map((k) => k.armored);
      return decrypt({
        date: clock.now(),
        ...decryptOptions,
        verificationKeys: [...pinned, ...(decryptOptions.verificationKeys ?? [])],
      });
    },

    /** `inspect`, with recipients named after the pinned keys they belong to. */
    async inspect(ciphertext: ByteInput): Promise<Inspection> {
      const pinned = Object.values((await read()).keys).map((k) => k.armored);
      return inspect(ciphertext, { knownKeys: pinned, date: clock.now() });
    },

    keys: {
      /** Pinned keys, key changes waiting for a decision, fingerprints pinned by group files and not found yet. */
      list: async (): Promise<KeyringView> => describeKeyring(await read(), clock.now()),

      /** Uses the key an address now offers from here on (after comparing fingerprints with its owner). */
      accept: (address: string) =>
        mutate((ring) => decideChange(ring, Email.parse(address), true, clock.now())),

      /** Keeps the pinned key; that offered key is never proposed again for the address. */
      reject: (address: string) =>
        mutate((ring) => decideChange(ring, Email.parse(address), false, clock.now())),

      /** Forgets an address's pin (an address), or a key and every pin to it (a fingerprint). */
      remove: (addressOrFingerprint: string) =>
        mutate((ring) => {
          const email = Email.tryParse(addressOrFingerprint);
          const fingerprint = addressOrFingerprint.replace(/\s+/g, '').toUpperCase();
          if (email && ring.pins[email]) unpinAddress(ring, email);
          else if (ring.keys[fingerprint]) removeKey(ring, fingerprint);
          else throw new KeywardError('not_found', `Nothing is pinned for ${addressOrFingerprint}.`);
          return Promise.resolve();
        }),

      /**
       * Pins public keys from a file (compared with their owners beforehand): each address of each key is pinned
       * to it unless another key is pinned there already, which becomes a key change. Private keys are refused.
       */
      import: (data: KeyInput) =>
        mutate(async (ring) => {
          const entries = await readPublicKeys(data, { date: clock.now() });
          if (entries.some((e) => e.wasPrivate)) {
            throw new KeywardError(
              'invalid_input',
              'This file holds a private key; the keyring is for other people’s public keys. Nothing was imported.',
            );
          }
          const noAddress = entries.find((e) => e.summary.emails.length === 0 && !e.summary.revoked);
          if (noAddress) {
            throw new KeywardError(
              'invalid_input',
              `Key ${noAddress.summary.fingerprint} has no valid user id with an e-mail address. Nothing was imported.`,
            );
          }
          const changed: Email[] = [];
          for (const entry of entries) changed.push(...(await takeKey(ring, entry, 'file', clock.now())));
          return { imported: entries.map((e) => e.summary.fingerprint), changed };
        }),
    },
  };
}

export type Keyward = ReturnType<typeof createKeyward>;

function defaultSources(keyserverUrl: string | undefined): readonly LookupSource[] {
  return keyserverUrl ? DEFAULT_LOOKUP_ORDER : DEFAULT_LOOKUP_ORDER.filter((s) => s !== 'keyserver');
}
