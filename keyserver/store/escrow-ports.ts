import type { CodePurpose, RelaySlot } from '../../shared/escrow/escrow-api';
import type { Email, Fingerprint } from '../../shared/identity';

/**
 * What the escrow keeps (docs/escrow.md): accounts with their passphrase-locked escrow, and the short-lived records
 * of logins, one-time codes, sessions, guess counters and the hand-over relay. All of it lives in the store, never
 * in process memory, so limits and single-use rules hold across every keyserver process. Secrets (codes, session
 * and device tokens, the recovery verifier) are stored only as hashes; times are epoch ms.
 */

export interface EscrowAccount {
  address: Email;
  /** The OPAQUE registration record (base64url): useless for checking a guess without the server setup secret. */
  registrationRecord: string;
  /** Name of the client's Argon2id key-stretching profile (the client accepts only its own allow-list). */
  profile: string;
  fingerprint: Fingerprint;
  /** The armored OpenPGP message holding the passphrase-locked private key. */
  escrow: string;
  /** SHA-256 (hex) of the recovery verifier; the verifier itself is never stored. */
  recoveryVerifierHash: string;
  /** 1 when created; every successful update adds one (compare-and-swap). */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface EscrowChange {
  escrow: string;
  registrationRecord?: string | undefined;
  profile?: string | undefined;
  recoveryVerifierHash?: string | undefined;
  updatedAt: number;
}

export interface EscrowAccountStore {
  /** Creates the account (version 1) with its first device; false when the address already has one. */
  create(account: Omit<EscrowAccount, 'version'>, deviceHash: string): Promise<boolean>;
  get(address: Email): Promise<EscrowAccount | null>;
  /**
   * Compare-and-swap: applies `change` only if the stored version is still `expectedVersion`, in one atomic step.
   * Returns the new version, or null when the version moved on (or there is no account).
   */
  update(address: Email, expectedVersion: number, change: EscrowChange): Promise<number | null>;
  /** Deletes the account with its devices and release records. */
  delete(address: Email): Promise<boolean>;
  /** Remembers a device token hash for the account; false when there is no account. */
  addDevice(address: Email, deviceHash: string, now: number): Promise<boolean>;
  hasDevice(address: Email, deviceHash: string): Promise<boolean>;
}

// The purposes and slots are part of the escrow API (shared/escrow/escrow-api.ts); the store keeps them as they are.
export type { CodePurpose, RelaySlot };

export interface OneTimeCode {
  address: Email;
  purpose: CodePurpose;
  /** A keyed hash of the code (escrow/one-time-codes.ts). */
  hash: string;
  createdAt: number;
  expiresAt: number;
}

export interface OneTimeCodeStore {
  /** Stores the code, replacing any older code for the same address and purpose (the newer one supersedes). */
  issue(code: OneTimeCode): Promise<void>;
  /**
   * Atomically takes the live code for (address, purpose) if its hash is `hash`: true exactly once. A wrong guess
   * counts against the code, which is deleted after `maxAttempts` wrong guesses.
   */
  consume(
    address: Email,
    purpose: CodePurpose,
    hash: string,
    now: number,
    maxAttempts: number,
  ): Promise<boolean>;
}

export interface LoginState {
  /** SHA-256 (hex) of the login id handed to the client. */
  hash: string;
  address: Email;
  /** OPAQUE's server login state, needed for finishLogin. */
  serverLoginState: string;
  expiresAt: number;
}

export interface LoginStateStore {
  put(state: LoginState): Promise<void>;
  /** Returns and deletes the state (single use), or null if unknown, taken or expired. */
  take(hash: string, now: number): Promise<LoginState | null>;
}

export type SessionKind = 'session' | 'recovery';

export interface EscrowSession {
  /** SHA-256 (hex) of the bearer token. */
  hash: string;
  kind: SessionKind;
  address: Email;
  expiresAt: number;
}

export interface EscrowSessionStore {
  issue(session: EscrowSession): Promise<void>;
  /** The live session with this hash, or null. */
  find(hash: string, now: number): Promise<EscrowSession | null>;
  revoke(hash: string): Promise<void>;
  revokeAll(address: Email): Promise<void>;
}

export interface GuessState {
  /** Guesses in the current window, this one included. */
  count: number;
  windowStart: number;
  /** 0 when never locked. */
  lockedUntil: number;
  /** Lockouts so far (for the growing back-off). */
  lockouts: number;
}

export interface GuessCounterStore {
  /**
   * Counts one guess for `address` atomically: a new window of `windowMs` starts at `now` when none is running.
   * The record is kept at least until `now + retainMs`. Returns the state after this guess.
   */
  hit(address: Email, now: number, windowMs: number, retainMs: number): Promise<GuessState>;
  /**
   * Starts a lockout if the stored lockout count is still `expectedLockouts` (compare-and-swap, so of several
   * processes seeing the same guess exactly one starts it and mails the user). Kept until `lockedUntil + retainMs`.
   */
  lock(address: Email, expectedLockouts: number, lockedUntil: number, retainMs: number): Promise<boolean>;
}

export interface ReleaseRecord {
  address: Email;
  at: number;
  kind: 'passphrase' | 'recovery';
  /** The client's address for rate limits (IPv4, or its IPv6 /64). */
  client: string;
  newDevice: boolean;
}

export interface ReleaseAuditStore {
  record(release: ReleaseRecord): Promise<void>;
  /** Oldest first. */
  list(address: Email): Promise<ReleaseRecord[]>;
}

export interface RelayStore {
  /**
   * Writes a slot once: false when it was already written and has not expired (even if already picked up, so a
   * slot cannot be filled a second time while its channel lives).
   */
  put(channel: string, slot: RelaySlot, payload: string, now: number, expiresAt: number): Promise<boolean>;
  /** Returns the payload and deletes it (single pickup), or null when absent, taken or expired. */
  take(channel: string, slot: RelaySlot, now: number): Promise<string | null>;
}

export interface EscrowStore {
  accounts: EscrowAccountStore;
  codes: OneTimeCodeStore;
  logins: LoginStateStore;
  sessions: EscrowSessionStore;
  guesses: GuessCounterStore;
  releases: ReleaseAuditStore;
  relay: RelayStore;
  /** Removes expired codes, logins, sessions, guess counters and relay messages; returns how many. */
  deleteExpired(now: number): Promise<number>;
}
