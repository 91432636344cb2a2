import type { WireError } from '../messaging/wire-error';
import type { KeyWork } from './key-work';

/** The port between the background and the offscreen document that runs KeyWork (Chromium only). */
export const KEY_WORK_PORT = 'keyward-key-work';

export type KeyWorkOp = keyof KeyWork;

export type KeyWorkRequest =
  | { readonly id: number; readonly op: KeyWorkOp; readonly args: readonly unknown[] }
  /** Stop call `id` if it can be stopped (encryptToSpool); it still answers, with an error, once it has stopped. */
  | { readonly id: number; readonly cancel: true };

export type KeyWorkResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  /** Not an answer yet: progress of a long operation (encryptToSpool: ciphertext bytes so far). */
  | { readonly id: number; readonly progress: number }
  | { readonly id: number; readonly ok: false; readonly error: WireError };
