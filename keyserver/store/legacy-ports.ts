import type { Email, Fingerprint } from '../../shared/identity';
import type { GrantTerms, HistoryEntry, RequestState } from '../../shared/legacy';

/**
 * What digital legacy keeps (docs/legacy.md): grants, with their current request and the mails they still owe, the
 * single-use challenges, and an audit trail. A grant is one record, so every change to it (a request, a refusal, a
 * release, a revocation) is one atomic compare-and-swap in every adapter, with no multi-record transactions; the
 * record is also the scheduler's job, claimed with a lease. Times are epoch ms.
 */

export interface AccessRequest {
  /** 32 hex digits, random: named in the owner's mail and in a refusal. */
  id: string;
  grantVersion: number;
  requestedAt: number;
  remindAt: number;
  releaseAt: number;
  /** When the owner was reminded; null until then. */
  remindedAt: number | null;
  state: RequestState;
  endedAt: number | null;
}

export type NoticeKind =
  | 'requested' // to the owner, at once
  | 'reminder' // to the owner, before the end
  | 'released' // to the trusted person
  | 'released-owner' // to the owner
  | 'refused' // to the trusted person
  | 'cancelled'; // to the trusted person: a change or revocation ended their pending request

/** A mail the grant still owes: queued in the mail queue, then removed from here (at least once, never lost). */
export interface Notice {
  /** Random, 16 hex digits: removes exactly this notice. */
  id: string;
  kind: NoticeKind;
  requestId: string;
  /** The request's release time, as it was when the notice was made. */
  releaseAt: number;
  at: number;
}

export interface LegacyGrant {
  /** terms.grantId. */
  id: string;
  /** The record's compare-and-swap counter (0: not stored yet); every successful put adds one. */
  revision: number;
  terms: GrantTerms;
  /** The owner's detached signature over the terms' text, armored. */
  termsSignature: string;
  /** Armored public keys: the owner's (its fingerprint is terms.ownerFingerprint) and the pinned trusted key. */
  ownerKey: string;
  trustedKey: string;
  /** The sealed payload, armored; null once revoked (erased). */
  payload: string | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
  /** The current (or last) request; earlier ones live in the audit trail. */
  request: AccessRequest | null;
  notices: Notice[];
  /** The next time the scheduler has work here (a notice: now; a reminder; a release), or null. */
  dueAt: number | null;
}

export interface GrantClaim {
  now: number;
  /** The claim holds the grants until now + leaseMs; after that another claim may take them (a crashed worker). */
  leaseMs: number;
  /** Identifies this claim (random): only it can release the grant early. */
  lease: string;
  limit: number;
  /** Only this grant (a route delivering its notices at once). */
  id?: string;
}

export interface LegacyGrantStore {
  /**
   * Compare-and-swap: stores the grant only if the stored revision is still `grant.revision` (0: no grant with this
   * id exists, ever: revoked grants stay as tombstones so ids are never reused), and returns whether it did. Leaves
   * a claim as it is.
   */
  put(grant: LegacyGrant): Promise<boolean>;
  get(id: string): Promise<LegacyGrant | null>;
  /** Every grant of this owner address (revoked ones too), oldest first. */
  byOwner(address: Email): Promise<LegacyGrant[]>;
  /** Every grant naming this trusted fingerprint (revoked ones too), oldest first. */
  byTrusted(fingerprint: Fingerprint): Promise<LegacyGrant[]>;
  /**
   * Atomically takes up to `limit` grants with dueAt <= now that no live claim holds, the earliest due first. Of
   * concurrent claims (in any process) each grant goes to exactly one.
   */
  claimDue(claim: GrantClaim): Promise<LegacyGrant[]>;
  /** Ends a claim early (the work is done); false when `lease` no longer holds the grant. */
  release(id: string, lease: string): Promise<boolean>;
}

export interface LegacyChallengeStore {
  /** Remembers a challenge by its SHA-256 until `expiresAt`. */
  issue(hash: string, expiresAt: number): Promise<void>;
  /** Atomically takes the challenge: true exactly once, and only before it expires. */
  take(hash: string, now: number): Promise<boolean>;
}

export interface LegacyAuditRecord extends HistoryEntry {
  grantId: string;
}

export interface LegacyAuditStore {
  record(entry: LegacyAuditRecord): Promise<void>;
  /** The latest `limit` entries of a grant, the latest first. */
  list(grantId: string, limit: number): Promise<LegacyAuditRecord[]>;
}

export interface LegacyStore {
  grants: LegacyGrantStore;
  challenges: LegacyChallengeStore;
  audit: LegacyAuditStore;
  /** Removes expired challenges; returns how many. */
  deleteExpired(now: number): Promise<number>;
}
