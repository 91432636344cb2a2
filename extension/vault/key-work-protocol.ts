import type { KeyWork } from './key-work';

/** The port between the background and the offscreen document that runs KeyWork (Chromium only). */
export const KEY_WORK_PORT = 'keyward-key-work';

export type KeyWorkOp = keyof KeyWork;

export interface KeyWorkRequest {
  readonly id: number;
  readonly op: KeyWorkOp;
  readonly args: readonly unknown[];
}

export type KeyWorkResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly details?: Readonly<Record<string, string | number>>;
    };
