import { z } from 'zod';
import type { MessageDefinition, SenderPolicy } from './protocol';

/**
 * Digital legacy's runtime messages (docs/legacy.md), merged into the one protocol (protocol.ts). Pages get views:
 * plain facts about grants, never a key, a payload or a signature.
 */

function message<Response>() {
  return <Request extends z.ZodType>(definition: {
    request: Request;
    senders: SenderPolicy;
  }): MessageDefinition<Request, Response> => definition;
}

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

const fingerprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/, 'a v4 (40 hex) or v6 (64 hex) fingerprint')
  .transform((s) => s.toUpperCase());
const grantId = z.string().regex(/^[0-9a-f]{32}$/, 'a grant id (32 hex digits)');
const waitingDays = z.number().int().min(1, 'at least 1 day').max(90, 'at most 90 days');
const email = z.string().trim().min(3).max(254);
const passphrase = z.string().min(1, 'a passphrase is required').max(1024);

export const legacyProtocol = {
  /** The owner's grants, listed with each unlocked key (a signed request); locked keys are named instead. */
  'legacy.ownerGrants': message<OwnerGrantsView>()({
    request: z.strictObject({}),
    senders: 'extension-page',
  }),
  /**
   * Names a trusted person: their key is looked up and pinned like any contact's, the owner's key is sealed for
   * it on this device, and the grant signed by the owner's key is uploaded.
   */
  'legacy.create': message<{ grant: OwnerGrantItem }>()({
    request: z.strictObject({ fingerprint, trustedAddress: email, waitingDays }),
    senders: 'extension-page',
  }),
  /** A new version of a grant with another waiting period (cancels a pending request). */
  'legacy.change': message<{ grant: OwnerGrantItem }>()({
    request: z.strictObject({ grantId, ownerFingerprint: fingerprint, waitingDays }),
    senders: 'extension-page',
  }),
  'legacy.revoke': message<{ grant: OwnerGrantItem }>()({
    request: z.strictObject({ grantId, ownerFingerprint: fingerprint }),
    senders: 'extension-page',
  }),
  /** Refuses a pending request, signed with the owner's key. */
  'legacy.refuse': message<{ grant: OwnerGrantItem }>()({
    request: z.strictObject({ grantId, requestId: grantId, ownerFingerprint: fingerprint }),
    senders: 'extension-page',
  }),
  /** The grants naming one of the user's unlocked keys. */
  'legacy.trustedGrants': message<TrustedGrantsView>()({
    request: z.strictObject({}),
    senders: 'extension-page',
  }),
  /** Asks for access, signed with the trusted key the grant names. */
  'legacy.requestAccess': message<{ grant: TrustedGrantItem }>()({
    request: z.strictObject({ grantId, trustedFingerprint: fingerprint }),
    senders: 'extension-page',
  }),
  /**
   * Once released: fetches the payload, opens it with the trusted key (every signature checked), and imports the
   * owner's key into the vault, locked with `newPassphrase`.
   */
  'legacy.importReleased': message<{ fingerprint: string; label: string }>()({
    request: z.strictObject({ grantId, trustedFingerprint: fingerprint, newPassphrase: passphrase }),
    senders: 'extension-page',
  }),
};
