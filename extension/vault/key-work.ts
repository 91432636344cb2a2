import {
  exportForGnuPG,
  generateKey,
  lockKey,
  unlockKey,
  type Argon2Params,
  type UnlockedKey,
} from '../../shared/openpgp';
import { createEscrowClient, type EscrowClient, type EscrowProfile } from '../../shared/escrow';
import { KeywardError } from '../../shared/errors';
import { encryptInWorker } from '../upload/encrypt-job';
import type { EncryptJob, EncryptJobResult } from '../upload/encrypt-job-channel';
import type { KeyStretching } from '../../shared/escrow/profiles';

/**
 * The vault's passphrase work: everything that runs Argon2 (or another S2K). In Chromium it runs in the offscreen
 * document (offscreen-key-work.ts), not in the service worker, whose WASM memory would stay reserved; elsewhere,
 * and in unit tests, in process.
 */
export interface KeyWork {
  /** A new key in Keyward's profile, locked with `passphrase`; also unlocked, since the user just typed it. */
  generate(request: GenerateRequest): Promise<{ locked: string; unlocked: UnlockedKey }>;
  /** Wrong passphrase: KeywardError 'forbidden'. */
  unlock(locked: string, passphrase: string): Promise<UnlockedKey>;
  /** Locks with Keyward's Argon2id profile. */
  lock(unlocked: UnlockedKey, passphrase: string): Promise<string>;
  /** Re-locked with an S2K GnuPG 2.2 reads (iterated and salted). */
  exportForGnuPG(locked: string, passphrase: string): Promise<string>;
  /**
   * The escrow flows (shared/escrow/escrow-client.ts), here because OPAQUE stretches the passphrase with Argon2
   * (256 MiB): each takes the keyserver's URL and the flow's own options.
   */
  escrowCreate(
    baseUrl: string,
    options: Parameters<EscrowClient['createAccount']>[0],
  ): ReturnType<EscrowClient['createAccount']>;
  escrowRestore(
    baseUrl: string,
    options: Parameters<EscrowClient['restoreWithPassphrase']>[0],
  ): ReturnType<EscrowClient['restoreWithPassphrase']>;
  escrowRecover(
    baseUrl: string,
    options: Parameters<EscrowClient['recover']>[0],
  ): ReturnType<EscrowClient['recover']>;
  escrowChangePassphrase(
    baseUrl: string,
    options: Parameters<EscrowClient['changePassphrase']>[0],
  ): Promise<void>;
  escrowDelete(baseUrl: string, options: Parameters<EscrowClient['deleteAccount']>[0]): Promise<void>;
  /**
   * An upload's encryption into a spool file, in a dedicated worker (../upload/encrypt-job.ts). Only where a
   * worker can be started (Chromium's offscreen document); elsewhere `unavailable`, and the background encrypts.
   * `signal` stops it (the page went away); it rejects once the worker has stopped writing and removed the file.
   */
  encryptToSpool(
    job: EncryptJob,
    onProgress?: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<EncryptJobResult>;
}

export interface GenerateRequest {
  name: string;
  email: string;
  passphrase: string;
  version: 4 | 6;
  /** Epoch ms: creation time of the key (the injected clock's). */
  date: number;
}

export interface KeyWorkOptions {
  /** Tests only: a cheaper Argon2 cost. */
  argon2?: Argon2Params;
  /** Tests only: a cheaper OPAQUE key stretching. */
  escrowStretching?: (profile: EscrowProfile) => KeyStretching;
  /** Starts the encryption worker (entrypoints/encrypt-worker.ts); given only by the offscreen document. */
  startEncryptWorker?: () => Worker;
}

export function createInProcessKeyWork(options: KeyWorkOptions = {}): KeyWork {
  const argon2 = options.argon2 === undefined ? {} : { argon2: options.argon2 };
  return {
    async generate({ name, email, passphrase, version, date }) {
      const key = await generateKey({ name, email, passphrase, version, date: new Date(date), ...argon2 });
      return { locked: key.privateKeyArmored, unlocked: await unlockKey(key.privateKeyArmored, passphrase) };
    },
    unlock: (locked, passphrase) => unlockKey(locked, passphrase),
    lock: (unlocked, passphrase) => lockKey(unlocked, passphrase, argon2),
    exportForGnuPG: (locked, passphrase) => exportForGnuPG(locked, passphrase),
    escrowCreate: (baseUrl, o) => escrow(baseUrl).createAccount(o),
    escrowRestore: (baseUrl, o) => escrow(baseUrl).restoreWithPassphrase(o),
    escrowRecover: (baseUrl, o) => escrow(baseUrl).recover(o),
    escrowChangePassphrase: (baseUrl, o) => escrow(baseUrl).changePassphrase(o),
    escrowDelete: (baseUrl, o) => escrow(baseUrl).deleteAccount(o),
    encryptToSpool: (job, onProgress, signal) => {
      const start = options.startEncryptWorker;
      if (!start) return Promise.reject(new KeywardError('unavailable', 'No encryption worker here.'));
      return encryptInWorker(start, job, onProgress, signal);
    },
  };
  function escrow(baseUrl: string): EscrowClient {
    return createEscrowClient({
      fetch: (input, init) => fetch(input, init),
      baseUrl,
      now: () => new Date(),
      ...(options.escrowStretching ? { stretching: options.escrowStretching } : {}),
    });
  }
}
