import type { Email, Fingerprint, KeyId } from '../../shared/identity';
import type { EscrowStore } from './escrow-ports';
import type { LegacyStore } from './legacy-ports';
import type { MailQueueStore } from './mail-queue-ports';

/**
 * What the keyserver keeps, as ports every store adapter (SQLite, MongoDB) implements to the same contract
 * (store-contract.ts). Everything that must hold across several keyserver processes lives here: keys, published
 * bindings, tokens, rate-limit counters, the mail queue and digital-legacy grants. Nothing here is HTTP- or protocol-specific.
 */

/** A purified public key as stored. `emails` are all addresses in its user ids, verified or not. */
export interface StoredKey {
  fingerprint: Fingerprint;
  version: 4 | 6;
  /** The primary key id and every legitimately bound subkey id, for by-keyid lookups. */
  keyIds: KeyId[];
  emails: Email[];
  /** The purified key, binary (OpenPGP packets). Served filtered to published addresses only. */
  packets: Uint8Array;
  createdAt: number;
  updatedAt: number;
  /** When an upload with no published address is forgotten (epoch ms); null once any address is published. */
  expiresAt: number | null;
  /** The revision this value was read at (0: not stored yet). Every successful putKey adds one. */
  revision: number;
}

export interface KeyStore {
  /**
   * Compare-and-swap: stores the key only if the stored revision is still `key.revision` (0: no key stored yet),
   * and returns whether it did. Callers re-read, re-apply their change and try again on false, so two processes
   * merging updates into one key (a new subkey here, a revocation there) never lose either.
   */
  putKey(key: StoredKey): Promise<boolean>;
  getKey(fingerprint: Fingerprint): Promise<StoredKey | null>;
  /** Keys whose primary or a bound subkey has this id; more than one only on a collision. */
  findByKeyId(keyId: KeyId): Promise<StoredKey[]>;
  /** Removes the key and its key ids; its bindings stay (they are a separate store: unpublish them first). */
  deleteKey(fingerprint: Fingerprint): Promise<boolean>;
  /** Removes unverified uploads whose expiresAt is <= now; returns how many. */
  deleteExpiredKeys(now: number): Promise<number>;
  /** Every stored fingerprint, in pages, for the admin CLI's re-purify run: ascending, strictly after `after`. */
  listFingerprints(after: Fingerprint | null, limit: number): Promise<Fingerprint[]>;
  countKeys(): Promise<number>;
}

export interface Binding {
  email: Email;
  fingerprint: Fingerprint;
  publishedAt: number;
}

export interface BindingStore {
  /**
   * Publishes `email` -> `fingerprint` atomically: at most one published key per address, enforced by a unique
   * index, never by delete-then-insert in code. Returns the fingerprint it replaced: null when the address had no
   * binding or was already bound to this key (then only publishedAt is updated).
   */
  publish(binding: Binding): Promise<{ replaced: Fingerprint | null }>;
  /** Removes the binding if it points at `fingerprint` (or any binding of `email` when omitted). */
  unpublish(email: Email, fingerprint?: Fingerprint): Promise<boolean>;
  byEmail(email: Email): Promise<Binding | null>;
  /** Every address published for this key, ordered by address. */
  byFingerprint(fingerprint: Fingerprint): Promise<Binding[]>;
  /**
   * The published addresses on `domain` whose local part has this WKD hash (shared/wkd.ts), ordered by address:
   * how a WKD request without `?l=` names its address. More than one only if two local parts collide in SHA-1.
   */
  byWkdHash(domain: string, hash: string): Promise<Binding[]>;
}

export type TokenPurpose = 'verify' | 'unpublish';

export interface TokenRecord {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  hash: string;
  purpose: TokenPurpose;
  fingerprint: Fingerprint;
  email: Email;
  createdAt: number;
  expiresAt: number;
}

export interface TokenStore {
  /**
   * Stores a token and supersedes (deletes) every older token with the same purpose, email and fingerprint,
   * atomically: at most one live token per purpose, address and key. Another key's request for the same address
   * does not cancel it (the directory refuses a token older than a newer binding of its address instead).
   */
  issue(token: TokenRecord): Promise<void>;
  /** Atomically takes the token: returns it and deletes it, or null if unknown, used or expired (expiresAt <= now). */
  consume(hash: string, now: number): Promise<TokenRecord | null>;
  /** The token, left in place, if it is live (a page that asks before it confirms); null otherwise. */
  peek(hash: string, now: number): Promise<TokenRecord | null>;
  /** Whether an unexpired token of this purpose is outstanding for (email, fingerprint): "pending" in VKS. */
  hasActive(purpose: TokenPurpose, email: Email, fingerprint: Fingerprint, now: number): Promise<boolean>;
  deleteExpiredTokens(now: number): Promise<number>;
}

export interface RateDecision {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  /** Seconds until the window resets; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimitStore {
  /**
   * Counts `hits` (default 1) for `key` in a fixed window of `windowMs` starting at a multiple of windowMs (denied
   * hits count too) and decides on the last of them: allowed while the window's total is at most `limit`. Use one
   * windowMs per key: the counter is kept per key and window start, so two window lengths would share it at common
   * boundaries. Ended windows are removed by the adapter.
   */
  hit(key: string, limit: number, windowMs: number, now: number, hits?: number): Promise<RateDecision>;
}

export interface Store {
  keys: KeyStore;
  bindings: BindingStore;
  tokens: TokenStore;
  rateLimits: RateLimitStore;
  /** Escrow accounts and their short-lived records (escrow-ports.ts). */
  escrow: EscrowStore;
  /** Mails waiting to be sent (mail-queue-ports.ts). */
  mailQueue: MailQueueStore;
  /** Digital-legacy grants, challenges and their audit trail (legacy-ports.ts). */
  legacy: LegacyStore;
  /** For /healthz: throws when the store does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
