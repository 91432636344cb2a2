import { KeywardError } from '../../shared/errors';
import { Email, Fingerprint, type KeyId } from '../../shared/identity';
import { wkdHash } from '../../shared/wkd';
import { keyIndexEntry, subkeyFingerprints } from '../keys';
import type { StoredKey } from '../store/ports';
import { type Client, type DirectoryDeps, rateRules } from './directory-deps';
import type { LookupCache } from './lookup-cache';
import { createServedKeyCache } from './served-key-cache';

export interface FoundKey {
  fingerprint: Fingerprint;
  /** The key as served: only published user ids (none at all when no address is published). */
  packets: Uint8Array;
  armored: string;
  /** `armored` as bytes, ready to send. */
  armoredBytes: Buffer;
  publishedEmails: Email[];
}

export type KeyQuery =
  | { kind: 'fingerprint'; fingerprint: Fingerprint }
  | { kind: 'keyid'; keyId: KeyId }
  | { kind: 'email'; email: Email };

const notFound = () => new KeywardError('not_found', 'No key found.');

/**
 * Lookups for every protocol. Only verified (published) addresses ever leave the server. A key with no published
 * address is still served by fingerprint or key id, without user ids, so revocations and new subkeys reach
 * clients that already hold it (GnuPG refuses such a key as new, "no user ID", but merges it as an update).
 */
export function createLookup(deps: DirectoryDeps, cache: LookupCache<FoundKey>) {
  const rules = rateRules(deps.config);
  const now = () => deps.clock.now();
  const served = createServedKeyCache();

  async function serve(key: StoredKey, only?: Email): Promise<FoundKey> {
    const published = (await deps.store.bindings.byFingerprint(key.fingerprint)).map((b) => b.email);
    const emails = only ? published.filter((e) => e === only) : published;
    const { packets, armored, armoredBytes } = await served(key.packets, emails, now());
    return { fingerprint: key.fingerprint, packets, armored, armoredBytes, publishedEmails: emails };
  }

  async function byEmail(email: Email, client: Client, only?: Email): Promise<FoundKey> {
    // Lookups by address enumerate addresses; they are rate-limited per client, hits or misses alike.
    await deps.limiter.enforce(rules.lookup, client.ip);
    return cache.get(`email:${email}:${only ?? ''}`, async () => {
      const binding = await deps.store.bindings.byEmail(email);
      const key = binding && (await deps.store.keys.getKey(binding.fingerprint));
      if (!key) throw notFound();
      return serve(key, only);
    });
  }

  /** VKS: "the fingerprint may refer to the primary key or any subkey". */
  async function bySubkeyFingerprint(fingerprint: Fingerprint): Promise<StoredKey | null> {
    for (const key of await deps.store.keys.findByKeyId(Fingerprint.keyId(fingerprint))) {
      if ((await subkeyFingerprints(key.packets, now())).includes(fingerprint)) return key;
    }
    return null;
  }

  async function find(query: KeyQuery, client: Client): Promise<FoundKey> {
    switch (query.kind) {
      case 'email':
        return byEmail(query.email, client);
      case 'fingerprint':
        return cache.get(`fpr:${query.fingerprint}`, async () => {
          const key =
            (await deps.store.keys.getKey(query.fingerprint)) ??
            (await bySubkeyFingerprint(query.fingerprint));
          if (!key) throw notFound();
          return serve(key);
        });
      case 'keyid':
        return cache.get(`keyid:${query.keyId}`, async () => {
          const [key] = await deps.store.keys.findByKeyId(query.keyId);
          if (!key) throw notFound();
          return serve(key);
        });
    }
  }

  return {
    find,

    /**
     * WKD (draft-koch-openpgp-webkey-service §3.1): the key with only the requested address's user id. The hash
     * names the address; `l` (the local part) is optional in the draft and static WKD hosting ignores it, so a
     * request without it is answered from the index of published addresses by WKD hash. A matching `l` is used
     * as the address itself (the hash of a local part with non-ASCII capitals differs from our lower-cased one).
     */
    async wkd(
      domain: string,
      hash: string,
      localPart: string | undefined,
      client: Client,
    ): Promise<FoundKey> {
      const d = domain.toLowerCase();
      const h = hash.toLowerCase();
      if (!deps.config.WKD_DOMAINS.includes(d)) throw notFound();
      const named =
        localPart !== undefined && wkdHash(localPart) === h ? Email.tryParse(`${localPart}@${d}`) : null;
      if (named) return byEmail(named, client, named);
      await deps.limiter.enforce(rules.lookup, client.ip);
      return cache.get(`wkd:${d}:${h}`, async () => {
        const bindings = await deps.store.bindings.byWkdHash(d, h);
        // Two addresses behind one hash (a SHA-1 collision of local parts) name neither.
        const binding = bindings.length === 1 ? bindings[0]! : null;
        const key = binding && (await deps.store.keys.getKey(binding.fingerprint));
        if (!binding || !key) throw notFound();
        return serve(key, binding.email);
      });
    },

    /** HKP index/vindex: machine-readable summaries of the matching keys (at most one here: searches are exact). */
    async index(query: KeyQuery, client: Client) {
      const found = await find(query, client);
      const key = await deps.store.keys.getKey(found.fingerprint);
      if (!key) throw notFound();
      return keyIndexEntry(key.packets, found.publishedEmails, now());
    },
  };
}

export type Lookup = ReturnType<typeof createLookup>;
