/**
 * Digital legacy as the options page shows it (docs/legacy.md): plain facts about grants, never a key, a payload or
 * a signature.
 */

/** One of the user's keys, as a legacy view names it. */
export interface LegacyKeyRef {
  readonly fingerprint: string;
  /** Its first user id, or its fingerprint. */
  readonly label: string;
}

/** Where a grant stands, as the owner and the trusted person read it. */
export type LegacyGrantState = 'waiting' | 'requested' | 'released' | 'revoked' | 'refused';

export interface LegacyRequestInfo {
  readonly id: string;
  readonly requestedAt: number;
  /** When access is given unless the owner refuses first (the keyserver's clock). */
  readonly releaseAt: number;
  readonly endedAt: number | null;
}

/** What the owner sees of one grant. */
export interface OwnerGrantItem {
  readonly grantId: string;
  readonly version: number;
  readonly ownerAddress: string;
  readonly ownerFingerprint: string;
  readonly trustedAddress: string;
  readonly trustedFingerprint: string;
  readonly waitingDays: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly state: LegacyGrantState;
  /** The latest request (pending, refused, released; a cancelled one is left out). */
  readonly request: LegacyRequestInfo | null;
  /** The owner key of the grant is still the one the keyserver has for the owner's address. */
  readonly ownerKeyCurrent: boolean;
  /** The trusted person's pinned key is still theirs on the keyserver (not revoked, not replaced). */
  readonly trustedKeyCurrent: boolean;
  /** The latest events first (at most ten). */
  readonly history: readonly { readonly at: number; readonly event: string; readonly actor: string }[];
}

/** What the trusted person sees of a grant naming one of their keys (its terms checked against the owner's signature). */
export interface TrustedGrantItem {
  readonly grantId: string;
  readonly version: number;
  readonly ownerAddress: string;
  readonly ownerFingerprint: string;
  /** The trusted person's own key the grant names. */
  readonly trustedFingerprint: string;
  readonly trustedAddress: string;
  readonly waitingDays: number;
  readonly state: LegacyGrantState;
  readonly request: LegacyRequestInfo | null;
  /** After a refusal: the first time a new request is accepted. */
  readonly nextRequestAt: number | null;
  /** Whether the owner's key in the grant is the key pinned for the owner's address among the contacts. */
  readonly ownerPin: 'same' | 'different' | 'none';
  /** The owner's key is already in this vault (imported before). */
  readonly imported: boolean;
}

export interface OwnerGrantsView {
  readonly keyserverUrl: string;
  readonly grants: readonly OwnerGrantItem[];
  /** The user's keys that are locked: their grants cannot be listed until unlocked (listing is signed). */
  readonly locked: readonly LegacyKeyRef[];
  /** The user's keys that can name a trusted person (a key with an address, not revoked or expired). */
  readonly owners: readonly (LegacyKeyRef & { readonly address: string })[];
}

export interface TrustedGrantsView {
  readonly keyserverUrl: string;
  readonly grants: readonly TrustedGrantItem[];
  readonly locked: readonly LegacyKeyRef[];
  /** Grants the keyserver listed whose terms the owner's key did not sign: left out. */
  readonly rejected: number;
}
